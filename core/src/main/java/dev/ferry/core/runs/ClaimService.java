package dev.ferry.core.runs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Names;
import dev.ferry.core.deployments.CollisionStrategy;
import dev.ferry.core.deployments.Deployment;
import dev.ferry.core.jobs.JobTemplate;
import dev.ferry.core.pools.PoolService;
import dev.ferry.core.pools.WorkPool;
import dev.ferry.core.pools.WorkQueue;
import dev.ferry.core.ports.Clock;
import dev.ferry.core.ports.Store;
import dev.ferry.core.ports.WorkQueues;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Hands due runs to a worker: queues in priority order, each run claimed by one conditional
 * write that also takes its pool, queue and deployment slots, so limits hold under any race.
 * With {@code waitSeconds} it long-polls: a run created while the worker waits is handed over
 * at once.
 */
public final class ClaimService {
    public static final int MAX_WAIT_SECONDS = 20;
    public static final int MAX_LIMIT = 50;
    /** How long a received message stays hidden from other pollers while its run is claimed. */
    static final Duration VISIBILITY = Duration.ofSeconds(30);
    /** When a limit is full, look at the message again after this long (a freed slot also wakes pollers). */
    static final Duration LIMIT_BACKOFF = Duration.ofSeconds(2);

    private final Store store;
    private final WorkQueues workQueues;
    private final Transitions transitions;
    private final PoolService pools;
    private final Clock clock;

    public ClaimService(Store store, WorkQueues workQueues, Transitions transitions, PoolService pools, Clock clock) {
        this.store = store;
        this.workQueues = workQueues;
        this.transitions = transitions;
        this.pools = pools;
        this.clock = clock;
    }

    public record Request(String workerName, List<String> workQueueNames, Integer limit, Integer waitSeconds) {}

    public record Claimed(FlowRun flowRun, Deployment deployment, ObjectNode jobConfiguration) {}

    public List<Claimed> claim(String poolName, Request request) throws InterruptedException {
        Names.check("worker_name", request.workerName());
        int limit = request.limit() == null ? 1 : request.limit();
        if (limit < 1 || limit > MAX_LIMIT) {
            throw BadInput.invalid("limit", "'limit' must be between 1 and " + MAX_LIMIT + " (got " + limit + ")");
        }
        int wait = request.waitSeconds() == null ? 0 : request.waitSeconds();
        if (wait < 0 || wait > MAX_WAIT_SECONDS) {
            throw BadInput.invalid("wait_seconds", "'wait_seconds' must be between 0 and " + MAX_WAIT_SECONDS + " (got " + wait + ")");
        }
        WorkPool pool = pools.get(poolName);
        List<WorkQueue> queues = selectQueues(pool, request.workQueueNames());
        pools.heartbeat(poolName, request.workerName(), null);
        Instant deadline = clock.now().plusSeconds(wait);
        List<String> queueIds = queues.stream().map(WorkQueue::id).toList();
        while (true) {
            store.markPolled(queueIds, clock.now());
            List<Claimed> claimed = claimOnce(poolName, queues, request.workerName(), limit);
            if (!claimed.isEmpty() || !clock.now().isBefore(deadline)) return claimed;
            Instant nextCheck = clock.now().plusSeconds(1);
            workQueues.await(queueIds, deadline.isBefore(nextCheck) ? deadline : nextCheck);
        }
    }

    private List<WorkQueue> selectQueues(WorkPool pool, List<String> names) {
        List<WorkQueue> all = store.queues(pool.id());
        if (names == null || names.isEmpty()) return all;
        List<WorkQueue> chosen = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            String field = "work_queue_names[" + i + "]";
            chosen.add(all.stream().filter(q -> q.name().equals(name)).findFirst().orElseThrow(() -> BadInput.invalid(
                    field, "work pool '" + pool.name() + "' has no queue named '" + name + "'")));
        }
        chosen.sort((a, b) -> a.priority() != b.priority() ? Integer.compare(a.priority(), b.priority()) : a.name().compareTo(b.name()));
        return chosen;
    }

    private List<Claimed> claimOnce(String poolName, List<WorkQueue> queues, String worker, int limit) {
        List<Claimed> claimed = new ArrayList<>();
        // Re-read: a pause or a new limit must apply to the very next poll.
        WorkPool pool = pools.get(poolName);
        if (pool.isPaused()) return claimed;
        Set<String> fullDeployments = new HashSet<>();
        for (WorkQueue staleQueue : queues) {
            Optional<WorkQueue> current = store.queue(pool.id(), staleQueue.name());
            if (current.isEmpty() || current.get().isPaused()) continue;
            WorkQueue queue = current.get();
            // Keep receiving while messages turn out stale (already claimed, cancelled): a poll
            // must not come back empty while a claimable run waits behind them.
            boolean blocked = false;
            while (!blocked && claimed.size() < limit) {
                List<WorkQueues.Message> messages = workQueues.receive(queue.id(), limit - claimed.size(), VISIBILITY);
                if (messages.isEmpty()) break;
                for (int i = 0; i < messages.size(); i++) {
                    Outcome outcome = claimOne(messages.get(i), pool, worker, fullDeployments);
                    if (outcome.kind == Kind.CLAIMED) claimed.add(outcome.claimed);
                    if (outcome.kind == Kind.QUEUE_FULL || outcome.kind == Kind.POOL_FULL) {
                        // Hand back what we took but cannot claim now, visible again soon rather than after the visibility timeout.
                        messages.subList(i + 1, messages.size()).forEach(m -> workQueues.release(m, LIMIT_BACKOFF));
                        if (outcome.kind == Kind.POOL_FULL) return claimed; // lower-priority queues must not jump ahead
                        blocked = true;
                        break;
                    }
                }
            }
            if (claimed.size() >= limit) break;
        }
        return claimed;
    }

    private enum Kind { CLAIMED, SKIPPED, QUEUE_FULL, POOL_FULL }

    private record Outcome(Kind kind, Claimed claimed) {
        static Outcome of(Kind kind) {
            return new Outcome(kind, null);
        }
    }

    private Outcome claimOne(WorkQueues.Message message, WorkPool pool, String worker, Set<String> fullDeployments) {
        Optional<FlowRun> found = store.run(message.runId());
        if (found.isEmpty() || found.get().state().type() != StateType.SCHEDULED) {
            workQueues.delete(message); // claimed by someone else, cancelled or gone: the store is the truth
            return Outcome.of(Kind.SKIPPED);
        }
        FlowRun run = found.get();
        Instant now = clock.now();
        if (run.scheduledStartTime().isAfter(now)) {
            workQueues.release(message, Duration.between(now, run.scheduledStartTime()));
            return Outcome.of(Kind.SKIPPED);
        }
        Optional<Deployment> deployment = store.deployment(run.deploymentId());
        if (deployment.isEmpty()) {
            transitions.apply(run.id(), Proposal.report(StateType.CANCELLED, null, "its deployment was deleted", null));
            workQueues.delete(message);
            return Outcome.of(Kind.SKIPPED);
        }
        if (deployment.get().paused() || fullDeployments.contains(run.deploymentId())) {
            workQueues.release(message, LIMIT_BACKOFF);
            return Outcome.of(Kind.SKIPPED);
        }
        Transitions.Result result = transitions.apply(run.id(),
                Proposal.of(Proposal.Origin.CLAIM, StateType.PENDING, null, "claimed by " + worker),
                next -> next.claimedBy(worker));
        if (result instanceof Transitions.Result.Changed changed) {
            workQueues.delete(message);
            ObjectNode config = JobTemplate.render(pool.baseJobTemplate(), changed.run().jobVariables());
            return new Outcome(Kind.CLAIMED, new Claimed(changed.run(), deployment.get(), config));
        }
        if (result instanceof Transitions.Result.LimitReached full) {
            if (full.slotKey().startsWith("deployment:")
                    && deployment.get().collisionStrategy() == CollisionStrategy.CANCEL_NEW) {
                transitions.apply(run.id(), Proposal.report(StateType.CANCELLED, null,
                        "deployment concurrency limit of " + deployment.get().concurrencyLimit()
                                + " reached (collision strategy CANCEL_NEW)", null));
                workQueues.delete(message);
                return Outcome.of(Kind.SKIPPED);
            }
            workQueues.release(message, LIMIT_BACKOFF);
            if (full.slotKey().startsWith("pool:")) return Outcome.of(Kind.POOL_FULL);
            if (full.slotKey().startsWith("queue:")) return Outcome.of(Kind.QUEUE_FULL);
            fullDeployments.add(run.deploymentId());
            return Outcome.of(Kind.SKIPPED);
        }
        workQueues.delete(message);
        return Outcome.of(Kind.SKIPPED);
    }
}
