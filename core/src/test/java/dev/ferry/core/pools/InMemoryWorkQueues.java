package dev.ferry.core.pools;

import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Ids;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link WorkQueues} in memory, for core's unit tests; {@link InMemoryWorkQueuesTest} holds it to
 * the contract. One message per (queue, run), visible from a time on {@link Clock}: receiving
 * hides it for the visibility timeout under a new receipt, and only the current receipt deletes
 * or releases it.
 */
public final class InMemoryWorkQueues implements WorkQueues {

    /**
     * Longest a waiter sleeps before reading the clock again: the clock is a port, and a test
     * clock moves without notifying anyone.
     */
    private static final long MAX_NAP_MILLIS = 20;

    private final Clock clock;
    /** Per queue, its messages by run id, in the order they were first sent. Guarded by this. */
    private final Map<String, Map<String, Held>> queues = new HashMap<>();

    /** A message as the queue holds it; {@code receipt} is null until it is received. */
    private record Held(Instant visibleAt, String receipt) {}

    public InMemoryWorkQueues(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Messages are kept as they are sent: nothing to create. */
    @Override
    public void provision(WorkQueue queue) {
    }

    @Override
    public Optional<Duration> maxDelay() {
        return Optional.empty();
    }

    @Override
    public synchronized void send(String queueId, String runId, Instant visibleAt) {
        // As on SQLite: a resend never postpones a due run, and is a new delivery that an old
        // receipt can no longer delete.
        Map<String, Held> messages = queues.computeIfAbsent(queueId, k -> new LinkedHashMap<>());
        Held held = messages.get(runId);
        Instant at = held == null || visibleAt.isBefore(held.visibleAt()) ? visibleAt : held.visibleAt();
        messages.put(runId, new Held(at, null));
        notifyAll();
    }

    @Override
    public synchronized List<Message> receive(String queueId, int max, Duration visibility) {
        if (max < 1) throw new IllegalArgumentException("max must be at least 1 (got " + max + ")");
        if (visibility.isNegative()) throw new IllegalArgumentException("visibility must not be negative (got " + visibility + ")");
        Instant now = clock.now();
        Map<String, Held> messages = queues.getOrDefault(queueId, Map.of());
        List<String> due = messages.entrySet().stream()
                .filter(e -> !e.getValue().visibleAt().isAfter(now))
                .sorted(Comparator.comparing(e -> e.getValue().visibleAt())) // stable: first sent first among equals
                .limit(max)
                .map(Map.Entry::getKey)
                .toList();
        List<Message> taken = new ArrayList<>(due.size());
        for (String runId : due) {
            String receipt = Ids.RANDOM.next();
            messages.put(runId, new Held(now.plus(visibility), receipt));
            taken.add(new Message(queueId, runId, receipt));
        }
        return taken;
    }

    @Override
    public synchronized void delete(Message message) {
        if (isCurrent(message)) queues.get(message.queueId()).remove(message.runId());
    }

    @Override
    public synchronized void release(Message message, Duration delay) {
        if (delay.isNegative()) throw new IllegalArgumentException("delay must not be negative (got " + delay + ")");
        if (!isCurrent(message)) return;
        queues.get(message.queueId()).put(message.runId(), new Held(clock.now().plus(delay), message.receipt()));
        notifyAll();
    }

    @Override
    public synchronized void await(List<String> queueIds, Instant deadline) throws InterruptedException {
        while (true) {
            Instant now = clock.now();
            if (!now.isBefore(deadline) || anyVisible(queueIds, now)) return;
            wait(Math.max(1, Math.min(MAX_NAP_MILLIS, Duration.between(now, deadline).toMillis())));
        }
    }

    @Override
    public synchronized void purge(String queueId) {
        queues.remove(queueId);
    }

    /** Only the holder of the latest receipt may delete or release: one whose message was received again or resent may not. */
    private boolean isCurrent(Message message) {
        Held held = queues.getOrDefault(message.queueId(), Map.of()).get(message.runId());
        return held != null && message.receipt().equals(held.receipt());
    }

    private boolean anyVisible(List<String> queueIds, Instant now) {
        return queueIds.stream().flatMap(q -> queues.getOrDefault(q, Map.of()).values().stream())
                .anyMatch(held -> !held.visibleAt().isAfter(now));
    }
}
