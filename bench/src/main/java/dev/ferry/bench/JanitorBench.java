package dev.ferry.bench;

import dev.ferry.server.EmbeddedServer;
import dev.ferry.server.ServerOptions;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a backlog of due runs that no worker takes costs the embedded server while nothing
 * happens: its CPU over a fixed interval with no runs, then with {@code runs} due runs once the
 * janitor has marked them Late, and the janitor thread's CPU per sweep (a sweep every 5 s).
 *
 * <pre>
 *   mvn -q -B -pl bench -am package -DskipTests
 *   java -cp "bench/target/classes:$(cat bench/target/classpath)" dev.ferry.bench.JanitorBench [runs=20000] [seconds=60]
 * </pre>
 */
public class JanitorBench {
    private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");
    private static final long SWEEP_MILLIS = 5_000;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(8, r -> {
                Thread t = new Thread(r);
                t.setDaemon(true);
                return t;
            })).build();
    private static URI base;

    public static void main(String[] args) throws Exception {
        int runs = 20_000;
        int seconds = 60;
        for (String arg : args) {
            if (arg.startsWith("runs=")) runs = Integer.parseInt(arg.substring(5));
            if (arg.startsWith("seconds=")) seconds = Integer.parseInt(arg.substring(8));
        }
        Path data = Files.createTempDirectory("ferry-janitor-bench");
        try (EmbeddedServer server = EmbeddedServer.start(new ServerOptions("127.0.0.1", 0, data, null))) {
            base = server.url();
            System.out.printf("Ferry janitor benchmark: %d cores, Java %s, %d due runs, %d s intervals%n",
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), runs, seconds);
            post("/api/work_pools", "{\"name\": \"bench\", \"type\": \"process\"}");
            String deployment = id(post("/api/deployments", "{\"name\": \"d\", \"flow_name\": \"f\", "
                    + "\"entrypoint\": \"flows/f.py:f\", \"work_pool_name\": \"bench\"}"));
            Thread.sleep(10_000); // start-up's work (JIT, the first sweeps) is not idling
            measure("no runs", seconds);

            long start = System.nanoTime();
            create(deployment, runs, 8);
            System.out.printf("created %d runs in %.1f s; no worker polls%n", runs, (System.nanoTime() - start) / 1e9);
            settle();
            measure(runs + " due runs", seconds);
        }
    }

    /**
     * Waits out the work the new runs cause once (the sweeps that mark each run Late, one write
     * each, and those that see those writes again): until the janitor thread used under 1% of a
     * core over 10 s, or for at most 5 minutes (a janitor that never settles is the point).
     */
    private static void settle() throws InterruptedException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long start = System.nanoTime();
        Thread.sleep(30_000);
        while (System.nanoTime() - start < 300e9) {
            long before = janitorCpu(threads);
            Thread.sleep(10_000);
            if (janitorCpu(threads) - before < 100_000_000L) break;
        }
        System.out.printf("settled after %.0f s%n", (System.nanoTime() - start) / 1e9);
    }

    /** Process CPU and the janitor thread's CPU over {@code seconds} of idling. */
    private static void measure(String label, int seconds) throws InterruptedException {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long process = os.getProcessCpuTime();
        long janitor = janitorCpu(threads);
        long wall = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        double elapsed = (System.nanoTime() - wall) / 1e9;
        double processCpu = (os.getProcessCpuTime() - process) / 1e9;
        double janitorCpu = (janitorCpu(threads) - janitor) / 1e9;
        double sweeps = elapsed * 1000 / SWEEP_MILLIS;
        System.out.printf("%-16s idle CPU %5.1f%% of a core; janitor %6.1f ms CPU per 5 s sweep interval (%.0f intervals)%n",
                label + ":", 100 * processCpu / elapsed, 1000 * janitorCpu / sweeps, sweeps);
    }

    private static long janitorCpu(ThreadMXBean threads) {
        long total = 0;
        for (ThreadInfo info : threads.dumpAllThreads(false, false)) {
            if (info.getThreadName().startsWith("ferry-janitor")) total += threads.getThreadCpuTime(info.getThreadId());
        }
        return total;
    }

    private static void create(String deployment, int runs, int clients) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int share = runs / clients + (c < runs % clients ? 1 : 0);
            done.add(pool.submit(() -> {
                for (int i = 0; i < share; i++) post("/api/deployments/" + deployment + "/create_flow_run", "{}");
                return null;
            }));
        }
        for (Future<?> f : done) f.get();
        pool.shutdown();
    }

    private static String post(String path, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(base.resolve(path))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
        return r.body();
    }

    private static String id(String json) {
        Matcher m = ID.matcher(json);
        if (!m.find()) throw new IllegalStateException("no id in " + json);
        return m.group(1);
    }
}
