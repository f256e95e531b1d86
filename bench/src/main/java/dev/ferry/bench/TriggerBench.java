package dev.ferry.bench;

import dev.ferry.core.Settings;
import dev.ferry.core.automations.CircuitBreaker;
import dev.ferry.server.EmbeddedServer;
import dev.ferry.server.ServerOptions;
import java.lang.management.ManagementFactory;
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
 * Benchmarks events and automations on the embedded server and prints the figures.
 *
 * <pre>
 *   mvn -q -B -pl bench -am package -DskipTests
 *   java -cp "bench/target/classes:$(cat bench/target/classpath)" dev.ferry.bench.TriggerBench [events=20000] [samples=200]
 * </pre>
 *
 * 1. Event to triggered run: an automation runs a deployment on {@code bench.go}; a worker
 *    long-polls the deployment's pool; one event is posted; the time until the worker holds the
 *    run the automation made (the event stored, followed, evaluated, the firing recorded, the run
 *    created and claimed).
 * 2. Ingest and evaluation with 100 automations enabled: each expects {@code bench.tick} from a
 *    resource of its own, so every event concerns all 100 by name, counts for one (a threshold
 *    no event reaches) and is a near miss for the other 99. Events are posted in batches of 100
 *    by 4 clients; the figures are events stored per second, events evaluated per second (until
 *    the engine has followed them all), and the server's CPU per event.
 */
public class TriggerBench {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(16, EmbeddedBench::daemon)).build();
    private static final int AUTOMATIONS = 100;
    private static URI base;

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0].replace("events=", "")) : 20_000;
        int samples = args.length > 1 ? Integer.parseInt(args[1].replace("samples=", "")) : 200;
        System.out.printf("Ferry trigger benchmark: %d cores, Java %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        Path data = Files.createTempDirectory("ferry-bench");
        // the latency samples fire one automation far more often than 60 times a minute: its circuit breaker allows
        // that (up to 1000 samples a minute)
        Settings settings = new Settings(Settings.DEFAULTS.eventRetention(), CircuitBreaker.MAX_LIMIT, false);
        try (EmbeddedServer server = EmbeddedServer.start(new ServerOptions("127.0.0.1", 0, data, null, List.of(), settings))) {
            base = server.url();
            post("/api/work_pools", "{\"name\": \"bench\", \"type\": \"process\"}");
            post("/api/deployments", "{\"name\": \"target\", \"flow_name\": \"bench\", \"entrypoint\": \"flows/b.py:b\", "
                    + "\"work_pool_name\": \"bench\"}");
            post("/api/automations", "{\"name\": \"go\", \"trigger\": {\"expect\": \"bench.go\"}, \"actions\": [{\"type\": "
                    + "\"run-deployment\", \"deployment_name\": \"bench/target\", \"parameters\": {\"n\": \"{{ event.payload.n }}\"}}]}");
            eventToRun(samples);
            for (int i = 0; i < AUTOMATIONS; i++) {
                post("/api/automations", "{\"name\": \"tick-" + i + "\", \"trigger\": {\"expect\": \"bench.tick\", \"match\": "
                        + "{\"ferry.resource.id\": \"bench.r." + i + "\"}, \"threshold\": 10000, \"within\": 3600}, \"actions\": "
                        + "[{\"type\": \"pause-deployment\", \"deployment_name\": \"bench/target\"}]}");
            }
            ingest(events);
        }
        HTTP.executor().ifPresent(e -> ((ExecutorService) e).shutdownNow());
    }

    private static void eventToRun(int samples) throws Exception {
        ExecutorService worker = Executors.newSingleThreadExecutor(EmbeddedBench::daemon);
        List<Long> latencies = new ArrayList<>();
        for (int i = -20; i < samples; i++) { // 20 to warm up, not counted
            Future<String> poll = worker.submit(() -> post("/api/work_pools/bench/get_scheduled_flow_runs",
                    "{\"worker_name\": \"w\", \"wait_seconds\": 20}"));
            Thread.sleep(5); // let the poll reach the server and wait
            long t = System.nanoTime();
            post("/api/events", "[{\"event\": \"bench.go\", \"resource\": {\"ferry.resource.id\": \"bench.source\"}, "
                    + "\"payload\": {\"n\": " + i + "}}]");
            String claimed = poll.get();
            long took = System.nanoTime() - t;
            if (!claimed.contains("\"n\":" + i)) throw new IllegalStateException("claimed another run: " + claimed);
            if (i >= 0) latencies.add(took);
            complete(claimed);
        }
        worker.shutdown();
        System.out.printf("event -> triggered run claimed by a long-polling worker: %d samples; p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                samples, pct(latencies, 50), pct(latencies, 99), pct(latencies, 100));
    }

    private static void ingest(int events) throws Exception {
        int batches = events / 100;
        AtomicInteger next = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(4, EmbeddedBench::daemon);
        long cpu0 = cpu();
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            futures.add(clients.submit(() -> {
                for (int b; (b = next.getAndIncrement()) < batches; ) {
                    StringBuilder batch = new StringBuilder("[");
                    for (int i = 0; i < 100; i++) {
                        if (i > 0) batch.append(',');
                        batch.append("{\"event\": \"bench.tick\", \"resource\": {\"ferry.resource.id\": \"bench.r.")
                                .append((b * 100 + i) % AUTOMATIONS).append("\"}}");
                    }
                    post("/api/events", batch.append(']').toString());
                }
                return null;
            }));
        }
        for (Future<?> f : futures) f.get();
        long stored = System.nanoTime() - start;
        clients.shutdown();
        // evaluated: the last tick's automation has counted it (its window's count reaches what it was sent)
        int perAutomation = batches * 100 / AUTOMATIONS;
        awaitCounted("tick-" + (AUTOMATIONS - 1), perAutomation);
        long evaluated = System.nanoTime() - start;
        long cpu = cpu() - cpu0;
        int total = batches * 100;
        System.out.printf("%d automations enabled, %d events in batches of 100 by 4 clients:%n", AUTOMATIONS, total);
        System.out.printf("  stored:    %.0f events/s (%.1f s)%n", total / (stored / 1e9), stored / 1e9);
        System.out.printf("  evaluated: %.0f events/s (%.1f s until the engine had followed them all)%n", total / (evaluated / 1e9),
                evaluated / 1e9);
        System.out.printf("  CPU: %.2f ms per event (this JVM: server and clients), %.0f evaluations of an automation per event%n",
                cpu / 1e6 / total, (double) AUTOMATIONS);
    }

    private static void awaitCounted(String automation, int count) throws Exception {
        String id = id(get("/api/automations/name/" + automation));
        long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
        Pattern counted = Pattern.compile("\"count\":(\\d+)");
        while (System.nanoTime() < deadline) {
            String history = get("/api/automations/" + id + "/history");
            int windows = history.indexOf("\"windows\":");
            int firings = history.indexOf("\"firings\":");
            Matcher m = counted.matcher(history.substring(windows, firings));
            if (m.find() && Integer.parseInt(m.group(1)) >= count) return;
            Thread.sleep(100);
        }
        throw new IllegalStateException("the engine did not follow the events within 30 minutes");
    }

    /** This JVM's CPU time: the server and the benchmark's clients share it. */
    private static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static void complete(String claimAnswer) throws Exception {
        Matcher m = Pattern.compile("\"flow_run\":\\{\"id\":\"([^\"]+)\"").matcher(claimAnswer);
        while (m.find()) {
            post("/api/flow_runs/" + m.group(1) + "/set_state", "{\"state\": {\"type\": \"RUNNING\"}}");
            post("/api/flow_runs/" + m.group(1) + "/set_state", "{\"state\": {\"type\": \"COMPLETED\"}}");
        }
    }

    private static String get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static String post(String path, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) throw new IllegalStateException(path + " -> " + r.statusCode() + " " + r.body());
        return r.body();
    }

    private static String id(String json) {
        Matcher m = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(json);
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
