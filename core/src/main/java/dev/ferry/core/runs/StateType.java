package dev.ferry.core.runs;

import java.util.EnumSet;
import java.util.Set;

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

    /** The states of a run that is not over yet: what overlap policies, pool deletion and the active-run counts count. */
    public static final Set<StateType> ACTIVE = EnumSet.of(SCHEDULED, PENDING, RUNNING, CANCELLING);

    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED || this == CRASHED;
    }

    /** States that occupy a concurrency slot of the run's pool, queue and deployment. */
    public boolean holdsSlot() {
        return this == PENDING || this == RUNNING || this == CANCELLING;
    }

    public boolean isActive() {
        return !isTerminal();
    }
}
