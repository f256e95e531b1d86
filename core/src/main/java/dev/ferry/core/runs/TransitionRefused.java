package dev.ferry.core.runs;

/** A state transition the policy refused; answered with 409 and the run's current state. */
public final class TransitionRefused extends RuntimeException {
    private final FlowRun current;

    public TransitionRefused(FlowRun current, String reason) {
        super(reason);
        this.current = current;
    }

    public FlowRun current() {
        return current;
    }
}
