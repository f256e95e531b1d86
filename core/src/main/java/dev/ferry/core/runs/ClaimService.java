package dev.ferry.core.runs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.auth.RunTokens;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Names;
import dev.ferry.core.deployments.CollisionStrategy;
import dev.ferry.core.deployments.Deployment;
import dev.ferry.core.deployments.DeploymentStore;
import dev.ferry.core.jobs.JobTemplate;
import dev.ferry.core.pools.PoolService;
import dev.ferry.core.pools.PoolStore;
import dev.ferry.core.pools.WorkPool;
import dev.ferry.core.pools.WorkQueue;
import dev.ferry.core.pools.WorkQueues;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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

    /** How often a polling worker's heartbeat and its queues' "last polled" are written. */
    static final Duration RECORD_EVERY = Duration.ofSeconds(5);

    private final Map<String, Instant> lastRecorded = new ConcurrentHashMap<>();
    private final RunStore store;
    private final PoolStore poolStore;
    private final DeploymentStore deployments;
    private final WorkQueues workQueues;
    private final Transitions transitions;
    private final PoolService pools;
    private final Clock clock;
    private final RunTokens runTokens;

    public ClaimService(RunStore store, PoolStore poolStore, DeploymentStore deployments, WorkQueues workQueues, Transitions transitions, PoolService pools, Clock clock,
                        RunTokens runTokens) {
        this.store = store;
        this.poolStore = poolStore;
        this.deployments = deployments;
        this.workQueues = workQueues;
        this.transitions = transitions;
        this.pools = pools;
        this.clock = clock;
        this.runTokens = runTokens;
    }

    /** @param timeLeft how long the caller can wait for the answer (null: {@code waitSeconds} alone bounds the wait) */
    /** @param claimerKeyHash the hash of the API key claiming (its runs' tokens end with it); null for none */
    public record Request(String workerName, List<String> workQueueNames, Integer limit, Integer waitSeconds,
                          Duration timeLeft, String claimerKeyHash) {}

    /**
     * Kept back from the caller's time left when bounding a long poll (a Lambda's deadline): the
     * claim pass after the wait (a receive and a write per run) and the answer must fit in it.
     */
    static final Duration ANSWER_MARGIN = Duration.ofSeconds(3);

    /** @param runToken the run's own API credential, for its process instead of the worker's key; null without tokens */
    public record Claimed(FlowRun flowRun, Deployment deployment, ObjectNode jobConfiguration, String runToken) {}

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
        if (dueForRecording("worker:" + pool.id() + ":" + request.workerName())) {
            pools.heartbeat(poolName, request.workerName(), null);
        }
        Instant deadline = clock.now().plusSeconds(wait);
        if (request.timeLeft() != null) {
            Instant answerBy = clock.now().plus(request.timeLeft()).minus(ANSWER_MARGIN);
            if (answerBy.isBefore(deadline)) deadline = answerBy;
        }
        while (true) {
            queues = pools.polled(pool, queues, q -> dueForRecording("queue:" + q.id()));
            List<String> open = new ArrayList<>();
            List<Claimed> claimed = claimOnce(poolName, queues, request.workerName(), limit, open, request.claimerKeyHash());
            if (!claimed.isEmpty() || !clock.now().isBefore(deadline)) return claimed;
            // Wait only on queues that may hand something out: a paused queue still holding
            // visible messages would wake the wait at once, again and again. The 1 s cap is
            // how a pause lifted or a slot freed meanwhile is noticed.
            Instant nextCheck = clock.now().plusSeconds(1);
            workQueues.await(open, deadline.isBefore(nextCheck) ? deadline : nextCheck);
        }
    }

    /**
     * True when {@code key} was not recorded within {@link #RECORD_EVERY} (and records it now).
     * Readiness needs a poll within 60 s, so writing "polled" at every poll of a busy worker
     * would only cost writes.
     */
    private boolean dueForRecording(String key) {
        Instant now = clock.now();
        Instant[] due = {null};
        lastRecorded.compute(key, (k, last) -> {
            if (last == null || !last.plus(RECORD_EVERY).isAfter(now)) {
                due[0] = now;
                return now;
            }
            return last;
        });
        if (lastRecorded.size() > 10_000) lastRecorded.clear();
        return due[0] != null;
    }

    private List<WorkQueue> selectQueues(WorkPool pool, List<String> names) {
        List<WorkQueue> all = poolStore.queues(pool.id());
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

    /** One pass over the queues; {@code open} collects the queues that are not paused. */
    private List<Claimed> claimOnce(String poolName, List<WorkQueue> queues, String worker, int limit, List<String> open,
                                    String claimer) {
        List<Claimed> claimed = new ArrayList<>();
        // Re-read: a pause or a new limit must apply to the very next poll.
        WorkPool pool = pools.get(poolName);
        if (pool.isPaused()) return claimed;
        Set<String> fullDeployments = new HashSet<>();
        for (WorkQueue staleQueue : queues) {
            Optional<WorkQueue> current = poolStore.queue(pool.id(), staleQueue.name());
            if (current.isEmpty() || current.get().isPaused()) continue;
            WorkQueue queue = current.get();
            open.add(queue.id());
            // Keep receiving while messages turn out stale (already claimed, cancelled): a poll
            // must not come back empty while a claimable run waits behind them.
            boolean blocked = false;
            while (!blocked && claimed.size() < limit) {
                List<WorkQueues.Message> messages = workQueues.receive(queue.id(), limit - claimed.size(), VISIBILITY);
                if (messages.isEmpty()) break;
                for (int i = 0; i < messages.size(); i++) {
                    Outcome outcome = claimOne(messages.get(i), pool, queue, worker, fullDeployments, claimer);
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

    private Outcome claimOne(WorkQueues.Message message, WorkPool pool, WorkQueue queue, String worker,
                             Set<String> fullDeployments, String claimer) {
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
        Optional<Deployment> deployment = deployments.deployment(run.deploymentId());
        if (deployment.isEmpty()) {
            transitions.apply(run.id(), Proposal.report(StateType.CANCELLED, null, "its deployment was deleted", null));
            workQueues.delete(message);
            return Outcome.of(Kind.SKIPPED);
        }
        if (deployment.get().paused() || fullDeployments.contains(run.deploymentId())) {
            workQueues.release(message, LIMIT_BACKOFF);
            return Outcome.of(Kind.SKIPPED);
        }
        Transitions.Result result = transitions.claim(run, worker, new Transitions.Limits(
                pool.concurrencyLimit(), queue.concurrencyLimit(), deployment.get().claimLimit()));
        if (result instanceof Transitions.Result.Changed changed) {
            workQueues.delete(message);
            ObjectNode config = JobTemplate.render(pool.baseJobTemplate(), changed.run().jobVariables());
            return new Outcome(Kind.CLAIMED, new Claimed(changed.run(), deployment.get(), config,
                    runTokens.mint(changed.run().id(), changed.run().claimed(), claimer)));
        }
        if (result instanceof Transitions.Result.LimitReached full) {
            Slot.Kind kind = Slot.Kind.ofKey(full.slotKey());
            if (kind == Slot.Kind.DEPLOYMENT
                    && deployment.get().collisionStrategy() == CollisionStrategy.CANCEL_NEW) {
                transitions.apply(run.id(), Proposal.report(StateType.CANCELLED, null,
                        "deployment concurrency limit of " + deployment.get().concurrencyLimit()
                                + " reached (collision strategy CANCEL_NEW)", null));
                workQueues.delete(message);
                return Outcome.of(Kind.SKIPPED);
            }
            workQueues.release(message, LIMIT_BACKOFF);
            if (kind == Slot.Kind.POOL) return Outcome.of(Kind.POOL_FULL);
            if (kind == Slot.Kind.QUEUE) return Outcome.of(Kind.QUEUE_FULL);
            fullDeployments.add(run.deploymentId());
            return Outcome.of(Kind.SKIPPED);
        }
        workQueues.delete(message);
        return Outcome.of(Kind.SKIPPED);
    }
}
