package dev.ferry.core.janitor;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** {@link Checkpoints} in memory, for core's unit tests; {@link InMemoryCheckpointsTest} holds it to the contract. */
public final class InMemoryCheckpoints implements Checkpoints {
    private final ConcurrentMap<String, Instant> byName = new ConcurrentHashMap<>();

    @Override
    public Optional<Instant> checkpoint(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    @Override
    public synchronized boolean putCheckpoint(String name, Instant expected, Instant at) {
        if (!Objects.equals(byName.get(name), expected)) return false;
        byName.put(name, at);
        return true;
    }
}
