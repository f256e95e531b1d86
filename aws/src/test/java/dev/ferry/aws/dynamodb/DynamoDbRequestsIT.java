package dev.ferry.aws.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.aws.testing.Emulator;
import dev.ferry.core.Ferry;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Ids;
import dev.ferry.core.deployments.Deployment;
import dev.ferry.core.deployments.DeploymentService;
import dev.ferry.core.pools.PoolService;
import dev.ferry.core.pools.PoolType;
import dev.ferry.core.pools.WorkQueue;
import dev.ferry.core.pools.WorkQueues;
import dev.ferry.core.runs.ClaimService;
import dev.ferry.core.runs.FlowRun;
import dev.ferry.core.runs.FlowRunService;
import dev.ferry.core.runs.StateType;
import dev.ferry.core.scheduler.ManualTimer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * What a run's life costs in DynamoDB requests, through the real services: the numbers behind
 * Lambda latency and the bill. The budgets fail the build when a change adds round trips to
 * the hot paths; raise one only on purpose.
 */
@ExtendWith(Emulator.class)
class DynamoDbRequestsIT {

    @Test
    void aRunsLife_staysWithinItsRequestBudget() throws Exception {
        Emulator.reset();
        DynamoDbClient raw = Emulator.dynamoDb();
        InterceptingClient client = new InterceptingClient(raw);
        String table = "ferry-" + UUID.randomUUID();
        DynamoDbStore.createTable(raw, table);
        Ferry ferry = Ferry.wire(new DynamoDbStore(client, table), new ListQueues(), new ManualTimer(), Clock.SYSTEM, Ids.RANDOM);
        ferry.pools().create(new PoolService.NewPool("pool-a", PoolType.PROCESS, null, null, 5, null));
        Deployment deployment = ferry.deployments().deploy(new DeploymentService.Deploy("nightly", "etl",
                "flows/etl.py:etl", "pool-a", null, null, null, null, null, null, 2, null, null, null, null, null,
                null, null, null, null)).deployment();
        client.takeCounts();

        FlowRun run = ferry.runs().create(deployment, new FlowRunService.NewRun(null, null, "key-1", null, null, null)).run();
        Map<String, Integer> create = client.takeCounts();
        List<ClaimService.Claimed> claimed = ferry.claims().claim("pool-a",
                new ClaimService.Request("worker-1", null, 1, 0, null));
        Map<String, Integer> claim = client.takeCounts();
        ferry.runs().setState(run.id(), StateType.RUNNING, null, null, null, null);
        Map<String, Integer> running = client.takeCounts();
        ferry.runs().heartbeat(run.id());
        Map<String, Integer> heartbeat = client.takeCounts();
        ferry.runs().setState(run.id(), StateType.COMPLETED, null, null, null, null);
        Map<String, Integer> complete = client.takeCounts();

        System.out.printf("DynamoDB requests per operation:%n  create run %s%n  claim      %s%n  running    %s%n"
                + "  heartbeat  %s%n  complete   %s%n", create, claim, running, heartbeat, complete);
        assertThat(claimed).hasSize(1);
        // pool + queue reads, then the run and its idempotency key in one transaction
        assertThat(total(create)).isLessThanOrEqualTo(3);
        // the claim service reads the pool 4 times, the run and the deployment twice each; the store
        // adds one request per port call, except markPolled (a pointer read per poll, then the update)
        assertThat(total(claim)).isLessThanOrEqualTo(15);
        assertThat(total(running)).isLessThanOrEqualTo(2);
        assertThat(total(heartbeat)).isLessThanOrEqualTo(2);
        assertThat(total(complete)).isLessThanOrEqualTo(2);
    }

    private static int total(Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Just enough delivery for one run: the store is what is measured. */
    private static final class ListQueues implements WorkQueues {
        private final Map<String, Deque<String>> queues = new HashMap<>();

        @Override
        public void provision(WorkQueue queue) {
        }

        @Override
        public java.util.Optional<Duration> maxDelay() {
            return java.util.Optional.empty();
        }

        @Override
        public synchronized void send(String queueId, String runId, Instant visibleAt) {
            queues.computeIfAbsent(queueId, k -> new ArrayDeque<>()).add(runId);
        }

        @Override
        public synchronized List<Message> receive(String queueId, int max, Duration visibility) {
            List<Message> taken = new ArrayList<>();
            Deque<String> queue = queues.getOrDefault(queueId, new ArrayDeque<>());
            while (taken.size() < max && !queue.isEmpty()) taken.add(new Message(queueId, queue.poll(), "r"));
            return taken;
        }

        @Override
        public void delete(Message message) {
        }

        @Override
        public synchronized void release(Message message, Duration delay) {
            send(message.queueId(), message.runId(), Instant.now().plus(delay));
        }

        @Override
        public void await(List<String> queueIds, Instant deadline) {
        }

        @Override
        public synchronized void purge(String queueId) {
            queues.remove(queueId);
        }
    }
}
