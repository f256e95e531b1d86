package dev.ferry.core.scheduler;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** {@link ScheduleCursors} in memory, for core's unit tests; {@link InMemoryScheduleCursorsTest} holds it to the contract. */
public final class InMemoryScheduleCursors implements ScheduleCursors {
    private final Map<ScheduleId, Instant> handled = new ConcurrentHashMap<>();

    private record ScheduleId(String deploymentId, String slug) {}

    @Override
    public Optional<Instant> cursor(String deploymentId, String slug) {
        return Optional.ofNullable(handled.get(new ScheduleId(deploymentId, slug)));
    }

    @Override
    public void putCursor(String deploymentId, String slug, Instant at) {
        handled.put(new ScheduleId(deploymentId, slug), at);
    }

    @Override
    public void deleteCursor(String deploymentId, String slug) {
        handled.remove(new ScheduleId(deploymentId, slug));
    }
}
