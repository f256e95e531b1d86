package dev.ferry.core.runs;

import dev.ferry.core.common.Page;
import dev.ferry.core.events.Event;
import dev.ferry.core.events.InMemoryEvents;
import dev.ferry.core.testing.PageCursors;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link RunStore} in memory, for core's unit tests; {@link InMemoryRunsTest} holds it to the
 * contract. Every method holds the store's lock, so a run write, its slot counters and its event
 * (appended to the adapter set's {@link InMemoryEvents}) move as one.
 */
public final class InMemoryRuns implements RunStore {
    private static final String LIST = "flow_runs";
    private static final String DUE = "flow_runs_due";
    private static final Comparator<Position> EARLIEST_DUE = Comparator.comparing(Position::created).thenComparing(Position::id);
    private static final Comparator<Position> NEWEST_FIRST =
            Comparator.comparing(Position::created).thenComparing(Position::id).reversed();

    private final Map<String, FlowRun> byId = new HashMap<>();
    private final Map<IdempotencyKey, String> runIdByKey = new HashMap<>();
    private final Map<String, Integer> slots = new HashMap<>();
    private final InMemoryEvents events;

    /** With events of its own ({@link #events()}). */
    public InMemoryRuns() {
        this(new InMemoryEvents());
    }

    /** @param events where the state events written with the runs go */
    public InMemoryRuns(InMemoryEvents events) {
        this.events = Objects.requireNonNull(events, "events");
    }

    /** The event store the runs' state events are written to. */
    public InMemoryEvents events() {
        return events;
    }

    /** Idempotency keys are unique per deployment, not across deployments. */
    private record IdempotencyKey(String deploymentId, String key) {}

    /** Where a run sorts in the list, and what its page cursor holds. */
    private record Position(Instant created, String id) {
        static Position of(FlowRun run) {
            return new Position(run.created(), run.id());
        }
    }

    @Override
    public synchronized FlowRun createRun(FlowRun run, Event event) {
        Objects.requireNonNull(run.created(), "run.created");
        IdempotencyKey key = run.idempotencyKey() == null || run.deploymentId() == null
                ? null : new IdempotencyKey(run.deploymentId(), run.idempotencyKey());
        if (key != null && runIdByKey.containsKey(key)) return byId.get(runIdByKey.get(key));
        if (byId.containsKey(run.id())) {
            throw new IllegalStateException("flow run id " + run.id() + " is already in use; ids must be unique");
        }
        byId.put(run.id(), run);
        if (key != null) runIdByKey.put(key, run.id());
        if (event != null) events.append(event);
        return run;
    }

    @Override
    public synchronized Optional<FlowRun> run(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    @Override
    public synchronized Page<FlowRun> runs(RunFilter filter, int limit, String cursor) {
        RunFilter f = filter == null ? RunFilter.ALL : filter;
        Position after = cursor == null ? null
                : PageCursors.decode(cursor, LIST, key -> new Position(Instant.parse(key.get(0)), key.get(1)));
        List<FlowRun> rest = byId.values().stream()
                .filter(run -> matches(run, f))
                .filter(run -> after == null || NEWEST_FIRST.compare(Position.of(run), after) > 0)
                .sorted(Comparator.comparing(Position::of, NEWEST_FIRST))
                .toList();
        return PageCursors.page(rest, limit, last -> PageCursors.encode(LIST, last.created().toString(), last.id()));
    }

    @Override
    public synchronized Page<FlowRun> scheduledDue(Instant after, Instant until, int limit, String cursor) {
        Position from = cursor == null ? null
                : PageCursors.decode(cursor, DUE, key -> new Position(Instant.parse(key.get(0)), key.get(1)));
        List<FlowRun> rest = byId.values().stream()
                .filter(run -> run.stateType() == StateType.SCHEDULED)
                .filter(run -> RunStore.dueAt(run).isAfter(after) && !RunStore.dueAt(run).isAfter(until))
                .filter(run -> from == null || EARLIEST_DUE.compare(due(run), from) > 0)
                .sorted(Comparator.comparing(InMemoryRuns::due, EARLIEST_DUE))
                .toList();
        return PageCursors.page(rest, limit, last -> PageCursors.encode(DUE, RunStore.dueAt(last).toString(), last.id()));
    }

    private static Position due(FlowRun run) {
        return new Position(RunStore.dueAt(run), run.id());
    }

    @Override
    public synchronized int activeRuns(String poolId, String queueId) {
        return (int) byId.values().stream()
                .filter(run -> StateType.ACTIVE.contains(run.stateType()))
                .filter(run -> queueId == null ? poolId.equals(run.workPoolId()) : queueId.equals(run.workQueueId()))
                .count();
    }

    @Override
    public synchronized RunWrite writeRun(FlowRun next, long expectedVersion, SlotChange slots, Event event) {
        Objects.requireNonNull(slots, "slots");
        FlowRun stored = byId.get(next.id());
        if (stored == null || stored.version() != expectedVersion) return new RunWrite.Stale(stored);
        if (slots instanceof SlotChange.Acquire acquire) {
            // every counter is checked before any moves, so a refusal leaves them all as they were
            for (Slot slot : acquire.slots()) {
                if (slot.limit() != null && slotsInUse(slot.key()) >= slot.limit()) return new RunWrite.LimitReached(slot.key());
            }
            for (Slot slot : acquire.slots()) this.slots.merge(slot.key(), 1, Integer::sum);
        } else if (slots instanceof SlotChange.Release release) {
            for (Slot slot : release.slots()) this.slots.computeIfPresent(slot.key(), (k, used) -> Math.max(used - 1, 0));
        }
        byId.put(next.id(), next);
        // an id stored already is dropped, the run written all the same
        if (event != null) events.append(event);
        return new RunWrite.Applied(next);
    }

    @Override
    public synchronized int slotsInUse(String slotKey) {
        return slots.getOrDefault(slotKey, 0);
    }

    @Override
    public synchronized RunActivity activity(ActivityWindow window, RunFilter filter) {
        RunFilter f = filter == null ? RunFilter.ALL : filter;
        List<FlowRun> read = byId.values().stream()
                .filter(run -> !run.created().isBefore(window.createdFrom()))
                .filter(run -> matches(run, f))
                .sorted(Comparator.comparing(Position::of, NEWEST_FIRST))
                .toList();
        RunActivity.Tally tally = new RunActivity.Tally(window);
        for (FlowRun run : read.subList(0, Math.min(read.size(), window.maxRuns()))) {
            tally.add(run.scheduledStartTime() != null ? run.scheduledStartTime() : run.created(), run.stateType());
        }
        return tally.result(read.size() > window.maxRuns());
    }

    private static boolean matches(FlowRun run, RunFilter f) {
        return (f.states() == null || f.states().isEmpty() || f.states().contains(run.stateType()))
                && (f.deploymentId() == null || f.deploymentId().equals(run.deploymentId()))
                && (f.workPoolName() == null || f.workPoolName().equals(run.workPoolName()))
                && (f.workQueueName() == null || f.workQueueName().equals(run.workQueueName()));
    }
}
