package dev.ferry.core.runs;

/**
 * A flow's process (a worker's subprocess, an ECS task's container) ending by itself with this
 * code: what it means for the run, and how messages name it. The one rule for every pool type.
 */
public record ExitCode(int value) {

    /** COMPLETED for 0, FAILED for anything else. */
    public StateType state() {
        return value == 0 ? StateType.COMPLETED : StateType.FAILED;
    }

    /** {@code exit code 1}; a code above 128 is a signal's, so {@code exit code 137 (signal 9)}. */
    @Override
    public String toString() {
        return "exit code " + value + (value > 128 && value <= 128 + 64 ? " (signal " + (value - 128) + ")" : "");
    }
}
