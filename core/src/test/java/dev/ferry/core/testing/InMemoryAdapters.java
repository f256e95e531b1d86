package dev.ferry.core.testing;

import dev.ferry.core.Ferry;
import dev.ferry.core.Store;
import dev.ferry.core.api.Router;
import dev.ferry.core.auth.ApiKeyService;
import dev.ferry.core.auth.BootstrapKey;
import dev.ferry.core.auth.InMemoryApiKeys;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Ids;
import dev.ferry.core.common.Page;
import dev.ferry.core.common.Write;
import dev.ferry.core.deployments.Deployment;
import dev.ferry.core.deployments.InMemoryDeployments;
import dev.ferry.core.ecs.InMemoryTaskDefinitions;
import dev.ferry.core.pools.InMemoryPools;
import dev.ferry.core.pools.InMemoryWorkQueues;
import dev.ferry.core.pools.WorkPool;
import dev.ferry.core.pools.WorkQueue;
import dev.ferry.core.pools.Worker;
import dev.ferry.core.runs.FlowRun;
import dev.ferry.core.runs.InMemoryRunLogs;
import dev.ferry.core.runs.InMemoryRuns;
import dev.ferry.core.runs.LogLine;
import dev.ferry.core.runs.RunFilter;
import dev.ferry.core.runs.RunWrite;
import dev.ferry.core.runs.SlotChange;
import dev.ferry.core.scheduler.InMemoryScheduleCursors;
import dev.ferry.core.scheduler.ManualTimer;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** One fresh in-memory adapter per port, so core's tests run the whole of Ferry without a database. */
public record InMemoryAdapters(
        InMemoryPools pools,
        InMemoryDeployments deployments,
        InMemoryRuns runs,
        InMemoryRunLogs logs,
        InMemoryScheduleCursors cursors,
        InMemoryTaskDefinitions taskDefinitions,
        InMemoryWorkQueues workQueues) {

    /** Empty adapters; the work queues read time from {@code clock}. */
    public static InMemoryAdapters on(Clock clock) {
        return new InMemoryAdapters(new InMemoryPools(), new InMemoryDeployments(), new InMemoryRuns(),
                new InMemoryRunLogs(), new InMemoryScheduleCursors(), new InMemoryTaskDefinitions(),
                new InMemoryWorkQueues(clock));
    }

    /**
     * The whole API over fresh in-memory adapters, on a ticking test clock and a manual timer.
     *
     * @param adminKey the bootstrap ADMIN key; null for an open server
     */
    public static TestApi api(String adminKey) {
        TestClock clock = TestClock.ticking();
        ManualTimer timer = new ManualTimer();
        InMemoryAdapters adapters = on(clock);
        ApiKeyService auth = new ApiKeyService(new InMemoryApiKeys(), BootstrapKey.ofKey(adminKey), clock, Ids.RANDOM);
        Ferry ferry = Ferry.wire(adapters.store(), adapters.workQueues(), timer, clock, Ids.RANDOM, auth.runTokens());
        return new TestApi(ferry, new Router(ferry, clock, auth), clock, timer, auth, () -> {});
    }

    // Temporary glue: Ferry.wire still takes one Store; it goes when wiring takes the ports.
    public Store store() {
        return new Composite(this);
    }

    /** The six stores as the one {@link Store}, each call handed to the adapter of its port. */
    private static final class Composite implements Store {
        private final InMemoryAdapters a;

        Composite(InMemoryAdapters adapters) {
            this.a = adapters;
        }

        @Override
        public boolean createPool(WorkPool pool, WorkQueue defaultQueue) {
            return a.pools.createPool(pool, defaultQueue);
        }

        @Override
        public Optional<WorkPool> pool(String name) {
            return a.pools.pool(name);
        }

        @Override
        public List<WorkPool> pools() {
            return a.pools.pools();
        }

        @Override
        public Write<WorkPool> updatePool(WorkPool next) {
            return a.pools.updatePool(next);
        }

        @Override
        public void deletePool(String poolId) {
            a.pools.deletePool(poolId);
        }

        @Override
        public boolean createQueue(WorkQueue queue) {
            return a.pools.createQueue(queue);
        }

        @Override
        public Optional<WorkQueue> queue(String poolId, String name) {
            return a.pools.queue(poolId, name);
        }

        @Override
        public List<WorkQueue> queues(String poolId) {
            return a.pools.queues(poolId);
        }

        @Override
        public Write<WorkQueue> updateQueue(WorkQueue next) {
            return a.pools.updateQueue(next);
        }

        @Override
        public void deleteQueue(String queueId) {
            a.pools.deleteQueue(queueId);
        }

        @Override
        public void markPolled(List<String> queueIds, Instant at) {
            a.pools.markPolled(queueIds, at);
        }

        @Override
        public void saveWorker(Worker worker) {
            a.pools.saveWorker(worker);
        }

        @Override
        public List<Worker> workers(String poolId) {
            return a.pools.workers(poolId);
        }

        @Override
        public boolean createDeployment(Deployment deployment) {
            return a.deployments.createDeployment(deployment);
        }

        @Override
        public Optional<Deployment> deployment(String id) {
            return a.deployments.deployment(id);
        }

        @Override
        public Optional<Deployment> deployment(String flowName, String name) {
            return a.deployments.deployment(flowName, name);
        }

        @Override
        public Page<Deployment> deployments(String workPoolName, int limit, String cursor) {
            return a.deployments.deployments(workPoolName, limit, cursor);
        }

        @Override
        public Write<Deployment> updateDeployment(Deployment next) {
            return a.deployments.updateDeployment(next);
        }

        @Override
        public Write<Deployment> deleteDeployment(Deployment seen) {
            return a.deployments.deleteDeployment(seen);
        }

        @Override
        public FlowRun createRun(FlowRun run) {
            return a.runs.createRun(run);
        }

        @Override
        public Optional<FlowRun> run(String id) {
            return a.runs.run(id);
        }

        @Override
        public Page<FlowRun> runs(RunFilter filter, int limit, String cursor) {
            return a.runs.runs(filter, limit, cursor);
        }

        @Override
        public int activeRuns(String poolId, String queueId) {
            return a.runs.activeRuns(poolId, queueId);
        }

        @Override
        public RunWrite writeRun(FlowRun next, long expectedVersion, SlotChange slots) {
            return a.runs.writeRun(next, expectedVersion, slots);
        }

        @Override
        public int slotsInUse(String slotKey) {
            return a.runs.slotsInUse(slotKey);
        }

        @Override
        public void appendLogs(String runId, List<LogLine> lines) {
            a.logs.appendLogs(runId, lines);
        }

        @Override
        public List<LogLine> logs(String runId, long afterSeq, int limit) {
            return a.logs.logs(runId, afterSeq, limit);
        }

        @Override
        public Optional<Instant> cursor(String deploymentId, String slug) {
            return a.cursors.cursor(deploymentId, slug);
        }

        @Override
        public void putCursor(String deploymentId, String slug, Instant handled) {
            a.cursors.putCursor(deploymentId, slug, handled);
        }

        @Override
        public void deleteCursor(String deploymentId, String slug) {
            a.cursors.deleteCursor(deploymentId, slug);
        }

        @Override
        public Optional<String> taskDefinition(String contentHash) {
            return a.taskDefinitions.taskDefinition(contentHash);
        }

        @Override
        public void rememberTaskDefinition(String contentHash, String arn) {
            a.taskDefinitions.rememberTaskDefinition(contentHash, arn);
        }

        @Override
        public void forgetTaskDefinition(String contentHash) {
            a.taskDefinitions.forgetTaskDefinition(contentHash);
        }
    }
}
