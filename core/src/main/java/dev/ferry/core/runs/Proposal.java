package dev.ferry.core.runs;

/** A requested change of a run's state, and who asks for it. */
public record Proposal(Origin origin, StateType type, String name, String message, String transitionId) {

    public enum Origin {
        /** Ferry itself reporting what it observed (a task stopped, a deployment gone). */
        REPORT,
        /**
         * A caller's report through set_state: a worker, or a flow with its run token. Like a
         * report, except that it may end a run as CANCELLED only once a user asked for it
         * (CANCELLING): cancelling is the deployers' to ask for.
         */
        CALLER,
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

    /** A report through the API's set_state. */
    public static Proposal fromCaller(StateType type, String name, String message, String transitionId) {
        return new Proposal(Origin.CALLER, type, name, message, transitionId);
    }

    public static Proposal of(Origin origin, StateType type, String name, String message) {
        return new Proposal(origin, type, name, message, null);
    }
}
