package dev.ferry.core.runs;

import java.time.Instant;

/** One state of a flow run. {@code transitionId} lets a client repeat a report safely. */
public record State(StateType type, String name, String message, Instant timestamp, String transitionId) {

    public static State of(StateType type, String name, String message, Instant at, String transitionId) {
        return new State(type, name == null || name.isBlank() ? type.defaultName() : name, message, at, transitionId);
    }

    public static State of(StateType type, Instant at) {
        return of(type, null, null, at, null);
    }
}
