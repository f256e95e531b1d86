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
 * Lambda latency and the bill. The exact counts fail the build when a change adds (or saves)
 * round trips on the hot paths: change them, and the table in docs/architecture.md, on purpose.
 */
@ExtendWith(Emulator.class)
class DynamoDbRequestsIT {

    @Test
    void aRunsLife_staysWithinItsRequestBudget() throws Exception {
        Emulator.reset();
        DynamoDbClient raw = Emulator.dynamoDb();
        InterceptingClient client = new InterceptingClient(raw);
        String table = "ferry-" + UUID.randomUUID();
        Tables.create(raw, table);
        Ferry ferry = Ferry.wire(DynamoDbAdapters.ports(client, table, new ListQueues(), new ManualTimer()), Clock.SYSTEM,
                Ids.RANDOM);
        ferry.pools().create(new PoolService.NewPool("pool-a", PoolType.PROCESS, null, null, 5, null));
        Deployment deployment = ferry.deployments().deploy(new DeploymentService.Deploy("nightly", "etl",
                "flows/etl.py:etl", "pool-a", null, null, null, null, null, null, 2, null, null, null, null, null,
                null, null, null, null)).deployment();
        client.takeCounts();

        FlowRun run = ferry.runs().create(deployment, new FlowRunService.NewRun(null, null, "key-1", null, null, null)).run();
        Map<String, Integer> create = client.takeCounts();
        List<ClaimService.Claimed> claimed = ferry.claims().claim("pool-a",
                new ClaimService.Request("worker-1", null, 1, 0, null, null));
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
        // docs/architecture.md ("Requests per operation") states these counts: change both together
        // a state's event (the event and its id's mark) goes in the run's own TransactWriteItems: no request of its own
        assertThat(create).isEqualTo(Map.of("GetItem", 2, "TransactWriteItems", 1));
        // a worker's first claim also brings it online and its pool and queue to ready: one event each, once per change
        // (later claims of the same worker write none), and the heartbeat reads the pool's workers to know that
        assertThat(claim).isEqualTo(Map.of("GetItem", 6, "Query", 2, "BatchGetItem", 1, "UpdateItem", 1,
                "TransactWriteItems", 5));
        assertThat(running).isEqualTo(Map.of("GetItem", 1, "TransactWriteItems", 1));
        assertThat(heartbeat).isEqualTo(Map.of("GetItem", 1, "PutItem", 1));
        assertThat(complete).isEqualTo(Map.of("GetItem", 1, "TransactWriteItems", 1));
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
