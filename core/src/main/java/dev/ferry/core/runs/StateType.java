package dev.ferry.core.runs;

/** The flow-run state types. Callers ask the enum; nobody keeps their own list of states. */
public enum StateType {
    SCHEDULED("Scheduled"),
    PENDING("Pending"),
    RUNNING("Running"),
    CANCELLING("Cancelling"),
    COMPLETED("Completed"),
    FAILED("Failed"),
    CANCELLED("Cancelled"),
    CRASHED("Crashed");

    private final String defaultName;

    StateType(String defaultName) {
        this.defaultName = defaultName;
    }

    public String defaultName() {
        return defaultName;
    }

    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED || this == CRASHED;
    }

    /** States that occupy a concurrency slot of the run's pool, queue and deployment. */
    public boolean holdsSlot() {
        return this == PENDING || this == RUNNING || this == CANCELLING;
    }
}
