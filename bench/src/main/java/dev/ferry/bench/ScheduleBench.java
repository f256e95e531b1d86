package dev.ferry.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.server.EmbeddedServer;
import dev.ferry.server.ServerOptions;
import dev.ferry.core.common.Json;
import dev.ferry.core.schedules.Schedule;
import dev.ferry.core.schedules.ScheduleEngine;
import dev.ferry.core.schedules.ScheduleParser;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Benchmarks schedules and prints the figures.
 *
 * <pre>
 *   mvn -q -B -pl bench -am package -DskipTests
 *   java -cp "bench/target/classes:$(cat bench/target/classpath)" dev.ferry.bench.ScheduleBench [schedules=10000] [seconds=120]
 * </pre>
 *
 * 1. The engine: next-instant computations per second for each kind of schedule.
 * 2. The embedded server's timer with that many active schedules (one per deployment): the
 *    server's CPU while no firing is due, then fire-to-claim latency (from a firing's instant to
 *    a long-polling worker holding its run) for 100 every-minute schedules spread over the minute
 *    by jitter, while the other schedules wait for 03:00.
 */
public class ScheduleBench {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(16, EmbeddedBench::daemon)).build();
    private static final int FIRING = 100;
    private static URI base;

    public static void main(String[] args) throws Exception {
        int schedules = args.length > 0 ? Integer.parseInt(args[0].replace("schedules=", "")) : 10_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1].replace("seconds=", "")) : 120;
        System.out.printf("Ferry schedule benchmark: %d cores, Java %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        engine();
        Path data = Files.createTempDirectory("ferry-bench");
        try (EmbeddedServer server = EmbeddedServer.start(new ServerOptions("127.0.0.1", 0, data, null))) {
            base = server.url();
            post("/api/work_pools", "{\"name\": \"bench\", \"type\": \"process\"}");
            deploy(schedules - FIRING, 0, "{\"cron\": \"0 3 * * *\", \"timezone\": \"Europe/Berlin\"}");
            idleCpu(Duration.ofSeconds(60), schedules - FIRING);
            deploy(FIRING, schedules - FIRING, "{\"cron\": \"* * * * *\", \"jitter_seconds\": 60}");
            fireToClaim(Duration.ofSeconds(seconds));
        }
        HTTP.executor().ifPresent(e -> ((ExecutorService) e).shutdownNow());
    }

    // ------------------------------------------------------------------ engine

    private static void engine() {
        Map<String, String> kinds = new LinkedHashMap<>();
        kinds.put("cron hourly, UTC", "{\"slug\": \"a\", \"cron\": \"0 * * * *\"}");
        kinds.put("cron 02:30 daily, New York, shift", "{\"slug\": \"a\", \"cron\": \"30 2 * * *\", \"timezone\": \"America/New_York\","
                + " \"dst_policy\": {\"nonexistent\": \"shift\", \"ambiguous\": \"both\"}}");
        kinds.put("cron weekdays 9-17 every 15 min, Berlin", "{\"slug\": \"a\", \"cron\": \"*/15 9-17 * * 1-5\", \"timezone\": \"Europe/Berlin\"}");
        kinds.put("interval 3600 s, anchored", "{\"slug\": \"a\", \"interval\": 3600, \"anchor_date\": \"2026-01-01T00:07:00Z\"}");
        kinds.put("rrule weekly Mon/Wed 09:00, Lord Howe", "{\"slug\": \"a\", \"rrule\": \"FREQ=WEEKLY;BYDAY=MO,WE;BYHOUR=9;BYMINUTE=0\","
                + " \"timezone\": \"Australia/Lord_Howe\"}");
        ScheduleEngine engine = new ScheduleEngine();
        System.out.println();
        System.out.println("engine: next() per second, each call from the previous firing");
        for (Map.Entry<String, String> kind : kinds.entrySet()) {
            Schedule s = ScheduleParser.parse("schedule", Json.tree(kind.getValue()));
            Instant t = Instant.parse("2026-01-01T00:00:00Z");
            for (int i = 0; i < 20_000; i++) t = engine.next(s, t, "dep").orElseThrow(); // warm-up
            long calls = 0;
            long start = System.nanoTime();
            long end = start + Duration.ofSeconds(2).toNanos();
            t = Instant.parse("2026-01-01T00:00:00Z");
            while (System.nanoTime() < end) {
                for (int i = 0; i < 1000; i++) t = engine.next(s, t, "dep").orElseThrow();
                calls += 1000;
            }
            double perSecond = calls / ((System.nanoTime() - start) / 1e9);
            System.out.printf("  %-42s %,12.0f /s%n", kind.getKey(), perSecond);
        }
    }

    // ------------------------------------------------------------------ embedded timer

    private static void deploy(int count, int offset, String schedule) throws Exception {
        long start = System.nanoTime();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String name = "d" + (offset + i);
            done.add(clients.submit(() -> post("/api/deployments", "{\"name\": \"" + name + "\", \"flow_name\": \"f\","
                    + " \"entrypoint\": \"flows/f.py:f\", \"work_pool_name\": \"bench\", \"schedules\": [" + schedule + "]}")));
        }
        for (Future<?> f : done) f.get();
        clients.shutdown();
        System.out.printf("%ndeployed %,d deployments with one schedule each (%s) in %.1f s%n", count, schedule,
                (System.nanoTime() - start) / 1e9);
    }

    private static void idleCpu(Duration window, int schedules) throws Exception {
        System.gc();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long wall0 = System.nanoTime();
        Thread.sleep(window.toMillis());
        double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
        double wall = (System.nanoTime() - wall0) / 1e9;
        System.out.printf("idle with %,d armed schedules: %.2f s CPU in %.0f s = %.2f%% of one core"
                        + " (janitor sweeps every 5 s, schedule healing every 50 s included)%n",
                schedules, cpu, wall, 100 * cpu / wall);
    }

    private static void fireToClaim(Duration window) throws Exception {
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        Instant until = Instant.now().plus(window);
        while (Instant.now().isBefore(until)) {
            String body = post("/api/work_pools/bench/get_scheduled_flow_runs",
                    "{\"worker_name\": \"bench-worker\", \"limit\": 10, \"wait_seconds\": 5}");
            Instant claimed = Instant.now();
            for (JsonNode item : Json.tree(body).get("items")) {
                Instant slot = Instant.parse(item.at("/flow_run/scheduled_start_time").asText());
                latencies.add(Duration.between(slot, claimed).toNanos() / 1e6);
            }
        }
        List<Double> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        if (sorted.isEmpty()) {
            System.out.println("no firing was claimed");
            return;
        }
        System.out.printf("fire-to-claim, %d every-minute schedules beside the others, %d firings over %d s:"
                        + " p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms (target p50 <= 100 ms)%n",
                FIRING, sorted.size(), window.toSeconds(), pct(sorted, 50), pct(sorted, 90), pct(sorted, 99),
                sorted.get(sorted.size() - 1));
    }

    private static double pct(List<Double> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static String post(String path, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(base.resolve(path))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
        return r.body();
    }
}
