package dev.ferry.bench;

import dev.ferry.core.Ferry;
import dev.ferry.core.Ports;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Ids;
import dev.ferry.core.common.Json;
import dev.ferry.core.deployments.DeploymentService;
import dev.ferry.core.pools.PoolService;
import dev.ferry.core.pools.PoolType;
import dev.ferry.core.scheduler.Scheduler;
import dev.ferry.embedded.Database;
import dev.ferry.embedded.InProcessTimer;
import dev.ferry.embedded.SqliteAdapters;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * What the janitor's healing pass over idle deployments costs the embedded shape (SQLite): the
 * CPU of one pass that reads every deployment (what every pass did before the heal index, and what
 * a janitor's very first pass still does) and of one that reads only what was written or went
 * overdue since the previous pass, with {@code deployments} deployments whose daily schedule is armed.
 * The second is called by reflection, so the same file measures a build from before it (the first only).
 *
 * <pre>
 *   mvn -q -B -pl bench -am package -DskipTests
 *   java -cp "bench/target/classes:$(cat bench/target/classpath)" dev.ferry.bench.HealBench [deployments=10000] [passes=10]
 * </pre>
 */
public class HealBench {

    public static void main(String[] args) throws Exception {
        int deployments = 10_000;
        int passes = 10;
        for (String arg : args) {
            if (arg.startsWith("deployments=")) deployments = Integer.parseInt(arg.substring(12));
            if (arg.startsWith("passes=")) passes = Integer.parseInt(arg.substring(7));
        }
        Path data = Files.createTempDirectory("ferry-heal-bench");
        try (Database db = Database.open(data.resolve("ferry.db"))) {
            InProcessTimer timer = new InProcessTimer(Clock.SYSTEM); // armed, never started: nothing fires
            Ports ports = SqliteAdapters.ports(db, Clock.SYSTEM, timer);
            Ferry ferry = Ferry.wire(ports, Clock.SYSTEM, Ids.RANDOM);
            ferry.pools().create(new PoolService.NewPool("bench", PoolType.PROCESS, null, null, null, null));
            System.out.printf("Ferry heal benchmark: %d cores, Java %s, %d idle deployments, %d passes each%n",
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), deployments, passes);
            long start = System.nanoTime();
            deploy(ferry, deployments, 8);
            System.out.printf("deployed %d in %.1f s%n", deployments, (System.nanoTime() - start) / 1e9);
            Thread.sleep(1_000); // so the passes below start after every deployment was written

            Scheduler schedules = ferry.schedules();
            for (int i = 0; i < 3; i++) schedules.heal(Scheduler.LOST_AFTER); // warm-up (JIT)
            measure("every deployment (before; a janitor's first pass)", passes, since -> schedules.heal(Scheduler.LOST_AFTER));
            java.lang.reflect.Method windowed;
            try {
                windowed = Scheduler.class.getMethod("heal", Duration.class, Instant.class);
            } catch (NoSuchMethodException e) {
                System.out.println("(a build without the heal index: every pass reads every deployment)");
                return;
            }
            measure("what changed since the last pass (after)", passes, since -> {
                try {
                    Object healed = windowed.invoke(schedules, Scheduler.LOST_AFTER, since.minusSeconds(30));
                    return (int) healed.getClass().getMethod("healed").invoke(healed);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    private interface Pass {
        int run(Instant since);
    }

    /** CPU of the calling thread (where the reads run) and of the whole process, per pass. */
    private static void measure(String label, int passes, Pass pass) throws InterruptedException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long thread = 0;
        long process = 0;
        long wall = 0;
        int healed = 0;
        Instant since = Instant.now();
        for (int i = 0; i < passes; i++) {
            Thread.sleep(1_000); // passes a second apart, as the previous pass's time moves
            long t0 = threads.getCurrentThreadCpuTime();
            long p0 = os.getProcessCpuTime();
            long w0 = System.nanoTime();
            Instant now = Instant.now();
            healed += pass.run(since);
            since = now;
            wall += System.nanoTime() - w0;
            process += os.getProcessCpuTime() - p0;
            thread += threads.getCurrentThreadCpuTime() - t0;
        }
        System.out.printf("%-52s %8.2f ms CPU per pass (process %8.2f ms, wall %8.2f ms), %d healed%n", label + ":",
                thread / 1e6 / passes, process / 1e6 / passes, wall / 1e6 / passes, healed);
    }

    private static void deploy(Ferry ferry, int count, int clients) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            done.add(pool.submit(() -> {
                for (int i = client; i < count; i += clients) {
                    ferry.deployments().deploy(new DeploymentService.Deploy("d" + i, "f", "flows/f.py:f", "bench", null,
                            null, null, null, null, null, null, null, null, null, null, null, null, null,
                            List.of(Json.tree("{\"slug\": \"daily\", \"cron\": \"0 3 * * *\", \"timezone\": \"Europe/Berlin\"}")),
                            null));
                }
                return null;
            }));
        }
        for (Future<?> f : done) f.get();
        pool.shutdown();
    }
}
