package dev.ferry.cli.embedded;

import dev.ferry.core.common.Json;
import dev.ferry.core.deployments.CollisionStrategy;
import dev.ferry.core.deployments.Deployment;
import dev.ferry.core.pools.PoolType;
import dev.ferry.core.pools.WorkPool;
import dev.ferry.core.pools.WorkQueue;
import dev.ferry.core.ports.Clock;
import dev.ferry.core.ports.Slot;
import dev.ferry.core.ports.SlotChange;
import dev.ferry.core.ports.WorkQueues.Message;
import dev.ferry.core.runs.FlowRun;
import dev.ferry.core.runs.State;
import dev.ferry.core.runs.StateType;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.*;
import java.util.concurrent.*;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThrowawayBenchTest {
    @TempDir Path dir;

    @Test
    void bench() throws Exception {
        Database db = Database.open(dir.resolve("ferry.db"));
        SqliteStore store = new SqliteStore(db);
        SqliteWorkQueues queues = new SqliteWorkQueues(db, Clock.SYSTEM);
        Instant t0 = Instant.now();
        WorkPool pool = new WorkPool("p", "pool", PoolType.PROCESS, null, Json.MAPPER.createObjectNode(), null, false, "default", t0, t0);
        WorkQueue q = new WorkQueue("q", "p", "pool", "default", null, 1, null, false, null, t0, t0);
        store.createPool(pool, q);
        Deployment d = new Deployment("d", "dep", "flow", "f.py:f", "pool", "default", Json.MAPPER.createObjectNode(), null, false,
                Json.MAPPER.createObjectNode(), List.of("a"), List.of(), null, CollisionStrategy.ENQUEUE, false, List.of(), null, null, 0, 0, t0, t0);
        store.upsertDeployment(d);
        // warm up
        for (int i = 0; i < 500; i++) store.createRun(run(d, pool, q));

        int n = 5000;
        long s = System.nanoTime();
        for (int i = 0; i < n; i++) store.createRun(run(d, pool, q));
        double secs = (System.nanoTime() - s) / 1e9;
        System.out.printf("BENCH createRun 1 thread: %d in %.2fs = %.0f/s%n", n, secs, n / secs);

        ExecutorService ex = Executors.newFixedThreadPool(8);
        s = System.nanoTime();
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < 8; t++) fs.add(ex.submit(() -> { for (int i = 0; i < 1000; i++) store.createRun(run(d, pool, q)); }));
        for (Future<?> f : fs) f.get();
        secs = (System.nanoTime() - s) / 1e9;
        System.out.printf("BENCH createRun 8 threads: %d in %.2fs = %.0f/s%n", 8000, secs, 8000 / secs);

        // create + send -> waiting worker receives, claims, deletes
        ConcurrentHashMap<String, Long> sentAt = new ConcurrentHashMap<>();
        BlockingQueue<Long> lat = new LinkedBlockingQueue<>();
        Thread worker = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    List<Message> got = queues.receive("q", 1, Duration.ofSeconds(30));
                    if (got.isEmpty()) { queues.await(List.of("q"), Instant.now().plusSeconds(5)); continue; }
                    for (Message m : got) {
                        FlowRun r = store.run(m.runId()).orElseThrow();
                        FlowRun next = r.claimedBy("w").entering(State.of(StateType.PENDING, Instant.now()), Instant.now());
                        store.writeRun(next, r.version(), new SlotChange.Acquire(List.of(Slot.pool("p", null))));
                        queues.delete(m);
                        lat.add(System.nanoTime() - sentAt.get(m.runId()));
                    }
                }
            } catch (InterruptedException e) { }
        });
        worker.start();
        List<Long> ls = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            FlowRun r = run(d, pool, q);
            sentAt.put(r.id(), System.nanoTime());
            store.createRun(r);
            queues.send("q", r.id(), Instant.now());
            ls.add(lat.poll(5, TimeUnit.SECONDS));
        }
        worker.interrupt();
        Collections.sort(ls);
        System.out.printf("BENCH create-to-claim ms: p50 %.2f p90 %.2f p99 %.2f max %.2f%n",
                ls.get(150) / 1e6, ls.get(270) / 1e6, ls.get(297) / 1e6, ls.get(299) / 1e6);
        long s2 = System.nanoTime();
        for (int i = 0; i < 200; i++) store.runs(dev.ferry.core.ports.RunFilter.ALL, 50, null);
        System.out.printf("BENCH list 50 runs: %.2f ms each%n", (System.nanoTime() - s2) / 1e6 / 200);
        ex.shutdown();
        db.close();
    }

    static FlowRun run(Deployment d, WorkPool p, WorkQueue q) {
        Instant now = Instant.now();
        State st = State.of(StateType.SCHEDULED, now);
        ObjectNodeHolder h = new ObjectNodeHolder();
        return new FlowRun(UUID.randomUUID().toString(), "name", d.id(), d.flowName(), d.name(), p.id(), p.name(), q.id(), q.name(),
                h.params, Json.MAPPER.createObjectNode(), st, List.of(st), now, null, null, 0, 0, 0, null, null, null, List.of(), null, 1, now, now);
    }
    static final class ObjectNodeHolder { final com.fasterxml.jackson.databind.node.ObjectNode params = Json.MAPPER.createObjectNode().put("name", "Marvin"); }
}
