package dev.ferry.bench;

import dev.ferry.server.EmbeddedServer;
import dev.ferry.server.ServerOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmarks the embedded server over real HTTP on loopback and prints its figures.
 *
 * <pre>
 *   mvn -q -B -pl bench -am package -DskipTests
 *   java -cp "bench/target/classes:$(cat bench/target/classpath)" dev.ferry.bench.EmbeddedBench [runs=5000]
 * </pre>
 *
 * Run from the repository root: the worker-overhead part starts cli/target/ferry.jar, the
 * worker as users run it. Measures: create_flow_run throughput and latency, create-to-claim
 * latency with a long-polling worker, and claims per second with 4 workers claiming and
 * completing runs.
 */
public class EmbeddedBench {
    private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(16, EmbeddedBench::daemon)).build();
    private static URI base;

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0].replace("runs=", "")) : 5000;
        Path data = Files.createTempDirectory("ferry-bench");
        try (EmbeddedServer server = EmbeddedServer.start(new ServerOptions("127.0.0.1", 0, data, null))) {
            base = server.url();
            System.out.printf("Ferry embedded benchmark: %d cores, Java %s, server %s%n",
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), base);
            post("/api/work_pools", "{\"name\": \"bench\", \"type\": \"process\"}");
            String deployment = id(post("/api/deployments", "{\"name\": \"d\", \"flow_name\": \"f\", "
                    + "\"entrypoint\": \"flows/f.py:f\", \"work_pool_name\": \"bench\"}"));
            warmUp(deployment);
            createRuns(deployment, runs, 8);
            claimLatency(deployment, 300);
            claimThroughput(deployment, runs, 4);
            workerOverhead(200);
        }
    }

    private static void warmUp(String deployment) throws Exception {
        for (int i = 0; i < 2000; i++) post("/api/deployments/" + deployment + "/create_flow_run", "{}");
        drain();
    }

    private static void createRuns(String deployment, int runs, int clients) throws Exception {
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            futures.add(pool.submit(() -> {
                while (next.getAndIncrement() < runs) {
                    long t = System.nanoTime();
                    post("/api/deployments/" + deployment + "/create_flow_run", "{}");
                    latencies.add(System.nanoTime() - t);
                }
                return null;
            }));
        }
        for (Future<?> f : futures) f.get();
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        System.out.printf("create_flow_run: %d runs by %d clients in %.2f s = %.0f runs/s; latency p50 %.2f ms, p99 %.2f ms%n",
                runs, clients, seconds, runs / seconds, pct(latencies, 50), pct(latencies, 99));
        drain();
    }

    private static void claimLatency(String deployment, int samples) throws Exception {
        List<Long> latencies = new ArrayList<>();
        ExecutorService worker = Executors.newSingleThreadExecutor();
        for (int i = 0; i < samples; i++) {
            Future<String> poll = worker.submit(() -> post("/api/work_pools/bench/get_scheduled_flow_runs",
                    "{\"worker_name\": \"w\", \"wait_seconds\": 20}"));
            Thread.sleep(5); // let the poll reach the server and wait
            long t = System.nanoTime();
            String created = post("/api/deployments/" + deployment + "/create_flow_run", "{}");
            String claimed = poll.get();
            latencies.add(System.nanoTime() - t);
            if (!claimed.contains(id(created))) throw new IllegalStateException("claimed another run: " + claimed);
            complete(claimed);
        }
        worker.shutdown();
        System.out.printf("create -> claim by a long-polling worker: %d samples; p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                samples, pct(latencies, 50), pct(latencies, 99), pct(latencies, 100));
    }

    private static void claimThroughput(String deployment, int runs, int workers) throws Exception {
        for (int i = 0; i < runs; i++) post("/api/deployments/" + deployment + "/create_flow_run", "{}");
        AtomicInteger claimed = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            String name = "w" + w;
            futures.add(pool.submit(() -> {
                while (true) {
                    String answer = post("/api/work_pools/bench/get_scheduled_flow_runs",
                            "{\"worker_name\": \"" + name + "\", \"limit\": 1}");
                    int n = complete(answer);
                    if (n == 0) return null;
                    claimed.addAndGet(n);
                }
            }));
        }
        for (Future<?> f : futures) f.get();
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        System.out.printf("claims with %d workers (claim, RUNNING, COMPLETED per run): %d runs in %.2f s = %.0f claims/s%n",
                workers, claimed.get(), seconds, claimed.get() / seconds);
    }

    /**
     * A real `ferry worker` process runs {@code runs} runs of the command {@code true}, one at a
     * time; the time per run minus the time to spawn {@code true} is the worker's own overhead
     * (claim, state reports, log shipping, heartbeats).
     */
    private static void workerOverhead(int runs) throws Exception {
        post("/api/work_pools", "{\"name\": \"overhead\", \"type\": \"process\"}");
        String deployment = id(post("/api/deployments", "{\"name\": \"true\", \"flow_name\": \"noop\", "
                + "\"entrypoint\": \"unused.py:f\", \"work_pool_name\": \"overhead\", "
                + "\"job_variables\": {\"command\": \"true\", \"stream_output\": false}}"));
        Path jar = Path.of("cli/target/ferry.jar").toAbsolutePath();
        Process worker = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                jar.toString(), "worker", "start", "--pool", "overhead", "--limit", "1", "--api-url", base.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            for (int i = 0; i < 20; i++) post("/api/deployments/" + deployment + "/create_flow_run", "{}"); // warm-up
            awaitCompleted(20);
            long start = System.nanoTime();
            for (int i = 0; i < runs; i++) post("/api/deployments/" + deployment + "/create_flow_run", "{}");
            awaitCompleted(20 + runs);
            double perRun = (System.nanoTime() - start) / 1e6 / runs;
            long spawnStart = System.nanoTime();
            for (int i = 0; i < 50; i++) new ProcessBuilder("true").start().waitFor();
            double spawn = (System.nanoTime() - spawnStart) / 1e6 / 50;
            System.out.printf("process worker, %d runs of `true` one at a time: %.1f ms per run; spawning `true` %.1f ms;"
                    + " worker overhead %.1f ms per run%n", runs, perRun, spawn, perRun - spawn);
        } finally {
            worker.destroy();
            worker.waitFor();
        }
    }

    private static void awaitCompleted(int count) throws Exception {
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (System.nanoTime() < deadline) {
            String page = get("/api/flow_runs?work_pool_name=overhead&state_type=COMPLETED&limit=200");
            int n = 0;
            String next;
            do {
                n += page.split("\"state_type\":\"COMPLETED\"", -1).length - 1;
                Matcher m = Pattern.compile("\"next\":\"([^\"]+)\"").matcher(page);
                next = m.find() ? m.group(1) : null;
                if (next != null) page = get("/api/flow_runs?work_pool_name=overhead&state_type=COMPLETED&limit=200&next=" + next);
            } while (next != null);
            if (n >= count) return;
            Thread.sleep(50);
        }
        throw new IllegalStateException("runs did not complete in time");
    }

    private static String get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Reports RUNNING then COMPLETED for every run in a claim answer; returns how many. */
    private static int complete(String claimAnswer) throws Exception {
        Matcher m = Pattern.compile("\"flow_run\":\\{\"id\":\"([^\"]+)\"").matcher(claimAnswer);
        int n = 0;
        while (m.find()) {
            post("/api/flow_runs/" + m.group(1) + "/set_state", "{\"state\": {\"type\": \"RUNNING\"}}");
            post("/api/flow_runs/" + m.group(1) + "/set_state", "{\"state\": {\"type\": \"COMPLETED\"}}");
            n++;
        }
        return n;
    }

    private static void drain() throws Exception {
        while (complete(post("/api/work_pools/bench/get_scheduled_flow_runs", "{\"worker_name\": \"drain\", \"limit\": 50}")) > 0) {
            // keep draining
        }
    }

    private static String post(String path, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) throw new IllegalStateException(path + " -> " + r.statusCode() + " " + r.body());
        return r.body();
    }

    /** The HTTP client's pool never shrinks: non-daemon threads would keep the JVM alive after the figures are printed. */
    static Thread daemon(Runnable task) {
        Thread t = new Thread(task, "bench-http");
        t.setDaemon(true);
        return t;
    }

    private static String id(String json) {
        Matcher m = ID.matcher(json);
        if (!m.find()) throw new IllegalStateException("no id in " + json);
        return m.group(1);
    }

    private static double pct(List<Long> nanos, int p) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        int i = Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1);
        return sorted.get(Math.max(0, i)) / 1e6;
    }
}
