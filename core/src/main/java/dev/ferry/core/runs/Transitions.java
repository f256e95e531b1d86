package dev.ferry.core.runs;

import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Contention;
import dev.ferry.core.common.Revisions;
import dev.ferry.core.events.Event;
import dev.ferry.core.events.EventSink;
import dev.ferry.core.pools.WorkQueues;
import dev.ferry.core.runs.Decision.Accept;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Applies the policy's decisions to the store: read, decide, conditional write, and on a lost
 * race read again and decide again. Slot counters and the state's {@code ferry.flow-run.*} event
 * move in the same write as the state.
 */
public final class Transitions {
    private static final int MAX_ATTEMPTS = Revisions.MAX_ATTEMPTS;

    private final RunStore store;
    private final WorkQueues workQueues;
    private final Clock clock;
    private final EventSink events;
    private final OrchestrationPolicy policy = new OrchestrationPolicy();

    /**
     * @param events told of each state change's {@code ferry.flow-run.*} event once the store wrote it with the
     *               run; where a report made again publishes it again
     */
    public Transitions(RunStore store, WorkQueues workQueues, Clock clock, EventSink events) {
        this.store = store;
        this.workQueues = workQueues;
        this.clock = clock;
        this.events = events;
    }

    /** Outcome of {@link #apply}: the run as stored now, and whether this call changed it. */
    public sealed interface Result {
        FlowRun run();

        record Changed(FlowRun run) implements Result {}

        record Unchanged(FlowRun run) implements Result {}

        record Refused(FlowRun run, String reason) implements Result {}

        record LimitReached(FlowRun run, String slotKey) implements Result {}
    }

    /** The concurrency limits a claim takes its slots under, as the claimer read them. */
    public record Limits(Integer pool, Integer queue, Integer deployment) {}

    public Result apply(String runId, Proposal proposal) {
        return apply(runId, proposal, UnaryOperator.identity());
    }

    /** {@code extra} adjusts the accepted run before it is written (worker name, infrastructure id). */
    public Result apply(String runId, Proposal proposal, UnaryOperator<FlowRun> extra) {
        return applyFrom(load(runId), proposal, extra, null);
    }

    /**
     * Claims {@code seen} (as the claimer just read it) for {@code worker}. Only a claim takes
     * slots, and the claimer already holds the pool, queue and deployment, so their limits come
     * with it rather than being read again on the hot path.
     */
    public Result claim(FlowRun seen, String worker, Limits limits) {
        return applyFrom(seen, Proposal.of(Proposal.Origin.CLAIM, StateType.PENDING, null, "claimed by " + worker),
                next -> next.claimedBy(worker), limits);
    }

    private Result applyFrom(FlowRun first, Proposal proposal, UnaryOperator<FlowRun> extra, Limits limits) {
        FlowRun run = first;
        String runId = first.id();
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Decision decision = policy.decide(run, proposal, clock.now());
            if (decision instanceof Decision.Reject reject) return new Result.Refused(run, reject.reason());
            // A report made again (a retry after a lost answer) publishes the state's event again,
            // which the store drops by its id: the run's write stores its event, but a run written
            // before the two went into one write may have kept its state and lost its event.
            if (decision instanceof Decision.AlreadyApplied) return unchanged(run);
            Accept accept = (Accept) decision;
            FlowRun next = extra.apply(accept.next());
            if (repeats(run, next)) return unchanged(run);
            Event event = eventOf(next);
            RunWrite write = store.writeRun(next, run.version(), slots(run, accept.slots(), limits), event);
            if (write instanceof RunWrite.Applied applied) {
                afterWrite(applied.run(), event);
                return new Result.Changed(applied.run());
            }
            if (write instanceof RunWrite.LimitReached full) return new Result.LimitReached(run, full.slotKey());
            FlowRun current = ((RunWrite.Stale) write).current();
            if (current == null) throw BadInput.notFound("flow run", runId);
            run = current;
        }
        throw new Contention("flow run " + runId + " kept changing under " + MAX_ATTEMPTS + " attempts to write it; try again");
    }

    /**
     * Applies {@code proposal} only if the run is still exactly as {@code seen}: for decisions
     * taken on what was seen (a stale heartbeat), which a newer write must cancel.
     */
    public Result applyIfUnchanged(FlowRun seen, Proposal proposal) {
        Decision decision = policy.decide(seen, proposal, clock.now());
        if (!(decision instanceof Accept accept)) return new Result.Unchanged(seen);
        Event event = eventOf(accept.next());
        RunWrite write = store.writeRun(accept.next(), seen.version(), slots(seen, accept.slots(), null), event);
        if (write instanceof RunWrite.Applied applied) {
            afterWrite(applied.run(), event);
            return new Result.Changed(applied.run());
        }
        return new Result.Unchanged(seen);
    }

    /**
     * A write that changes no state (the task a dispatcher launched, a stop it asked for):
     * {@code change} gets the run as stored and returns it with one more version, or null to
     * leave it alone. Retried on a lost race; returns the run as stored.
     */
    public FlowRun annotate(String runId, java.util.function.Function<FlowRun, FlowRun> change) {
        return annotate(load(runId), change);
    }

    /** As {@link #annotate(String, java.util.function.Function)}, starting from the run as last seen (no read when it is current). */
    public FlowRun annotate(FlowRun seen, java.util.function.Function<FlowRun, FlowRun> change) {
        FlowRun run = seen;
        String runId = seen.id();
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            FlowRun next = change.apply(run);
            if (next == null) return run;
            RunWrite write = store.writeRun(next, run.version(), SlotChange.NONE);
            if (write instanceof RunWrite.Applied applied) return applied.run();
            if (write instanceof RunWrite.Stale stale) {
                if (stale.current() == null) throw BadInput.notFound("flow run", runId);
                run = stale.current();
            }
        }
        throw new Contention("flow run " + runId + " kept changing under " + MAX_ATTEMPTS + " attempts to write it; try again");
    }

    /** Writes a heartbeat unless the run moved on; returns the run as stored. */
    public FlowRun heartbeat(String runId) {
        FlowRun run = load(runId);
        for (int attempt = 0; attempt < MAX_ATTEMPTS && run.state().type().holdsSlot(); attempt++) {
            RunWrite write = store.writeRun(run.heartbeat(clock.now()), run.version(), SlotChange.NONE);
            if (write instanceof RunWrite.Applied applied) return applied.run();
            if (write instanceof RunWrite.Stale stale) {
                if (stale.current() == null) throw BadInput.notFound("flow run", runId);
                run = stale.current();
            }
        }
        return run;
    }

    public FlowRun load(String runId) {
        return store.run(runId).orElseThrow(() -> BadInput.notFound("flow run", runId));
    }

    /** A report of the state the run is in that says nothing new: answered without a write. */
    private static boolean repeats(FlowRun run, FlowRun next) {
        State was = run.state();
        State is = next.state();
        return was.type() == is.type() && Objects.equals(was.name(), is.name()) && Objects.equals(was.message(), is.message())
                && Objects.equals(run.infrastructureId(), next.infrastructureId())
                && Objects.equals(run.infrastructure(), next.infrastructure())
                && Objects.equals(run.workerName(), next.workerName())
                && Objects.equals(run.scheduledStartTime(), next.scheduledStartTime());
    }

    /**
     * A run that is SCHEDULED again (retries) must be delivered again; the state's event, stored
     * with the run, wakes whoever follows the events.
     */
    private void afterWrite(FlowRun run, Event event) {
        if (run.state().type() == StateType.SCHEDULED) {
            workQueues.send(run.workQueueId(), run.id(), run.scheduledStartTime());
        }
        written(event);
    }

    private Result unchanged(FlowRun run) {
        publish(run);
        return new Result.Unchanged(run);
    }

    /**
     * The event of {@code run}'s state as the store writes it with the run, received now; null
     * for progress within a state, which is no change.
     */
    Event eventOf(FlowRun run) {
        Event event = RunEvents.stateChanged(run);
        return event == null ? null : event.receivedAt(clock.now());
    }

    /** Wakes the event followers for {@code event}, stored with its run (nothing for null). */
    void written(Event event) {
        if (event != null) events.written(event);
    }

    /**
     * Publishes the event of the run's current state (none for progress within a state) on its
     * own: for a state written before, whose event the store drops by its id if it has it.
     */
    void publish(FlowRun run) {
        Event event = RunEvents.stateChanged(run);
        if (event != null) events.publish(event);
    }

    private static SlotChange slots(FlowRun run, Decision.SlotEffect effect, Limits limits) {
        return switch (effect) {
            case NONE -> SlotChange.NONE;
            case RELEASE -> new SlotChange.Release(List.of(
                    Slot.pool(run.workPoolId(), null), Slot.queue(run.workQueueId(), null),
                    Slot.deployment(run.deploymentId(), null)));
            case ACQUIRE -> {
                // The policy lets only a claim enter a slot-holding state from one that holds none.
                if (limits == null) throw new IllegalStateException("only a claim takes concurrency slots");
                yield new SlotChange.Acquire(List.of(Slot.pool(run.workPoolId(), limits.pool()),
                        Slot.queue(run.workQueueId(), limits.queue()),
                        Slot.deployment(run.deploymentId(), limits.deployment())));
            }
        };
    }
}
