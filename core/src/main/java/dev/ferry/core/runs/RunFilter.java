package dev.ferry.core.runs;

import java.util.Set;

/** Which runs a list asks for; null or empty means any. */
public record RunFilter(Set<StateType> states, String deploymentId, String workPoolName, String workQueueName) {
    public static final RunFilter ALL = new RunFilter(Set.of(), null, null, null);

    public static RunFilter inStates(Set<StateType> states) {
        return new RunFilter(states, null, null, null);
    }
}
