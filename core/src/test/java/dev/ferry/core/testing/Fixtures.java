package dev.ferry.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.Json;
import dev.ferry.core.common.Write;
import dev.ferry.core.deployments.CollisionStrategy;
import dev.ferry.core.deployments.Deployment;
import dev.ferry.core.deployments.DeploymentBuilder;
import dev.ferry.core.deployments.Overlap;
import dev.ferry.core.pools.PoolType;
import dev.ferry.core.pools.WorkPool;
import dev.ferry.core.pools.WorkQueue;
import dev.ferry.core.pools.Worker;
import dev.ferry.core.runs.FlowRun;
import dev.ferry.core.runs.FlowRunBuilder;
import dev.ferry.core.runs.State;
import dev.ferry.core.runs.StateType;
import dev.ferry.core.schedules.Schedule;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** The records the store contracts write, built whole, and the thread race they fire at a store. */
public final class Fixtures {

    /** With nanoseconds, so a store that rounds times is caught. */
    public static final Instant T0 = Instant.parse("2026-03-01T12:00:00.123456789Z");

    private Fixtures() {}

    public static String newId() {
        return UUID.randomUUID().toString();
    }

    public static WorkPool pool(String name) {
        ObjectNode template = (ObjectNode) Json.tree("""
                {"job_configuration": {"command": "{{ command }}"},
                 "variables": {"properties": {"command": {"type": "string", "default": "python"}}}}""");
        return new WorkPool(newId(), name, PoolType.PROCESS, "pool " + name, template, null, false,
                WorkPool.DEFAULT_QUEUE, T0, T0, 1);
    }

    public static WorkQueue queue(WorkPool pool, String name, int priority) {
        return new WorkQueue(newId(), pool.id(), pool.name(), name, null, priority, null, false, null, T0, T0, 1);
    }

    public static Worker worker(WorkPool pool, String name, Instant heartbeat) {
        return new Worker(pool.id(), pool.name(), name, heartbeat, Worker.DEFAULT_HEARTBEAT_SECONDS, null);
    }

    public static Deployment deployment(String flow, String name, String poolName) {
        List<Schedule> schedules = List.of(Schedule.of((ObjectNode) Json.tree("{\"slug\": \"hourly\", \"cron\": \"0 * * * *\", \"timezone\": \"UTC\"}")));
        return DeploymentBuilder.builder().id(newId()).name(name).flowName(flow).entrypoint("flows/" + flow + ".py:" + flow)
                .workPoolName(poolName).workQueueName(WorkPool.DEFAULT_QUEUE).parameters(params("who", "Marvin"))
                .parameterOpenapiSchema((ObjectNode) Json.tree("{\"type\": \"object\"}")).enforceParameterSchema(true)
                .jobVariables(Json.MAPPER.createObjectNode()).tags(List.of("nightly")).schedules(schedules)
                .overlap(Overlap.ALLOW).collisionStrategy(CollisionStrategy.ENQUEUE).pullSteps(List.of()).version("1")
                .created(T0).updated(T0).revision(1).build();
    }

    public static FlowRun run(WorkPool pool, WorkQueue queue, Deployment d, Instant created, String idempotencyKey,
            StateType type) {
        State state = State.of(type, created);
        return FlowRunBuilder.builder().id(newId()).name("brave-otter").deploymentId(d.id()).flowName(d.flowName())
                .deploymentName(d.name()).workPoolId(pool.id()).workPoolName(pool.name()).workQueueId(queue.id())
                .workQueueName(queue.name()).parameters(params("who", "Marvin")).jobVariables(Json.MAPPER.createObjectNode())
                .state(state).stateHistory(List.of(state)).scheduledStartTime(created).idempotencyKey(idempotencyKey)
                .tags(List.of("t")).version(1).created(created).updated(created).build();
    }

    /** The write a worker makes to claim a scheduled run. */
    public static FlowRun claim(FlowRun run, String worker) {
        Instant at = run.created().plusSeconds(1);
        return run.claimedBy(worker).entering(State.of(StateType.PENDING, at), at);
    }

    /** What an update that must have landed stored. */
    public static <T> T applied(Write<T> written) {
        assertThat(written).isInstanceOf(Write.Applied.class);
        return ((Write.Applied<T>) written).stored();
    }

    /** Runs every task at once (released together by a latch) and returns their results. */
    public static <T> List<T> race(List<Callable<T>> tasks) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(tasks.size());
        try {
            CountDownLatch ready = new CountDownLatch(tasks.size());
            CountDownLatch go = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> task : tasks) {
                futures.add(threads.submit(() -> {
                    ready.countDown();
                    go.await();
                    return task.call();
                }));
            }
            assertThat(ready.await(10, TimeUnit.SECONDS)).as("all racers started").isTrue();
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) results.add(f.get(30, TimeUnit.SECONDS));
            return results;
        } finally {
            threads.shutdownNow();
        }
    }

    private static ObjectNode params(String key, String value) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put(key, value);
        return node;
    }
}
