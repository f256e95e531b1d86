package dev.ferry.aws.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.aws.testing.Emulator;
import dev.ferry.core.Ferry;
import dev.ferry.core.common.Ids;
import dev.ferry.core.deployments.Deployment;
import dev.ferry.core.deployments.DeploymentService;
import dev.ferry.core.pools.PoolService;
import dev.ferry.core.pools.PoolType;
import dev.ferry.core.pools.WorkPool;
import dev.ferry.core.pools.WorkQueue;
import dev.ferry.core.pools.WorkQueues;
import dev.ferry.core.runs.FlowRun;
import dev.ferry.core.runs.OrchestrationPolicy;
import dev.ferry.core.runs.RunStore;
import dev.ferry.core.runs.State;
import dev.ferry.core.runs.StateType;
import dev.ferry.core.scheduler.ManualTimer;
import dev.ferry.core.testing.Fixtures;
import dev.ferry.core.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * What a janitor sweep costs in AWS requests beside a backlog of due runs no worker takes: the
 * same for 100 runs as for 2,000 (docs/benchmarks.md states the counts). Only a janitor's first
 * sweep, which reads every SCHEDULED run, grows with the backlog.
 */
@ExtendWith(Emulator.class)
class JanitorRequestsIT {
    private static final Instant T = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    @Test
    void aSweep_costsTheSameRequests_whateverTheBacklogOfDueRuns() {
        Costs small = sweeps(100);
        Costs large = sweeps(2_000);

        System.out.printf("janitor requests per sweep (DynamoDB by operation, then SQS sends):%n"
                + "  100 due runs:   first %s + %d sends, then %s + %d sends%n"
                + "  2000 due runs:  first %s + %d sends, then %s + %d sends%n",
                small.first, small.firstSends, small.steady, small.steadySends,
                large.first, large.firstSends, large.steady, large.steadySends);
        assertThat(large.steady).isEqualTo(small.steady);
        assertThat(large.steadySends).isEqualTo(small.steadySends).isZero();
        assertThat(large.firstSends).as("a janitor's first sweep reads and sends them all").isEqualTo(2_000);
    }

    private record Costs(Map<String, Integer> first, int firstSends, Map<String, Integer> steady, int steadySends) {}

    private static Costs sweeps(int backlog) {
        Emulator.reset();
        DynamoDbClient raw = Emulator.dynamoDb();
        InterceptingClient client = new InterceptingClient(raw);
        String table = "ferry-" + UUID.randomUUID();
        Tables.create(raw, table);
        TestClock clock = TestClock.fixed(T);
        CountingQueues queues = new CountingQueues();
        var ports = DynamoDbAdapters.ports(client, table, DynamoDbRunLogs.DEFAULT_RETENTION, clock, queues, new ManualTimer());
        Ferry ferry = Ferry.wire(ports, clock, Ids.RANDOM);
        WorkPool pool = ferry.pools().create(new PoolService.NewPool("pool-a", PoolType.PROCESS, null, null, 5, null));
        WorkQueue queue = ports.pools().queue(pool.id(), WorkPool.DEFAULT_QUEUE).orElseThrow();
        Deployment deployment = ferry.deployments().deploy(new DeploymentService.Deploy("nightly", "etl",
                "flows/etl.py:etl", "pool-a", null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null)).deployment();
        RunStore runs = ports.runs();
        Instant anHourAgo = T.minus(Duration.ofHours(1));
        for (int i = 0; i < backlog; i++) {
            // due an hour ago and already Late: the backlog a pool without workers piles up
            FlowRun run = Fixtures.run(pool, queue, deployment, anHourAgo, null, StateType.SCHEDULED);
            runs.createRun(run.withState(new State(StateType.SCHEDULED, OrchestrationPolicy.LATE, "late", anHourAgo, null)));
        }
        client.takeCounts();
        queues.sent.set(0);

        ferry.janitor().sweep();
        Map<String, Integer> first = client.takeCounts();
        int firstSends = queues.sent.getAndSet(0);
        clock.advance(Duration.ofMinutes(1));
        ferry.janitor().sweep();
        client.takeCounts();
        queues.sent.set(0);
        clock.advance(Duration.ofMinutes(1));
        ferry.janitor().sweep();
        return new Costs(first, firstSends, client.takeCounts(), queues.sent.get());
    }

    /** Counts sends (on AWS one SQS SendMessage each); delivers nothing, as no worker polls. */
    private static final class CountingQueues implements WorkQueues {
        final AtomicInteger sent = new AtomicInteger();

        @Override
        public void provision(WorkQueue queue) {
        }

        @Override
        public void send(String queueId, String runId, Instant visibleAt) {
            sent.incrementAndGet();
        }

        @Override
        public Optional<Duration> maxDelay() {
            return Optional.of(Duration.ofMinutes(15));
        }

        @Override
        public List<Message> receive(String queueId, int max, Duration visibility) {
            return List.of();
        }

        @Override
        public void delete(Message message) {
        }

        @Override
        public void release(Message message, Duration delay) {
        }

        @Override
        public void await(List<String> queueIds, Instant deadline) {
        }

        @Override
        public void purge(String queueId) {
        }
    }
}
