package dev.ferry.core.runs;

/** A requested change of a run's state, and who asks for it. */
public record Proposal(Origin origin, StateType type, String name, String message, String transitionId) {

    public enum Origin {
        /** A worker or client reporting through set_state. */
        REPORT,
        /** A worker or dispatcher claiming a SCHEDULED run. */
        CLAIM,
        /** A user asking to cancel. */
        CANCEL,
        /** A user asking to run a finished run again. */
        RETRY,
        /** The janitor, acting on time (Late, lost heartbeats, stuck cancellations). */
        JANITOR
    }

    public static Proposal report(StateType type, String name, String message, String transitionId) {
        return new Proposal(Origin.REPORT, type, name, message, transitionId);
    }

    public static Proposal of(Origin origin, StateType type, String name, String message) {
        return new Proposal(origin, type, name, message, null);
    }
}
