package dev.ferry.cli.worker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.client.ApiClient;
import dev.ferry.cli.client.FerryApi;
import dev.ferry.cli.client.Retry;
import dev.ferry.cli.commands.ApiOptions;
import dev.ferry.cli.commands.UsageError;
import dev.ferry.cli.output.Table;
import dev.ferry.cli.output.Times;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "worker", description = "Run the flows of a process work pool on this machine.")
public final class WorkerCommand {

    @Command(name = "start", description = "Poll a work pool and run its flow runs as local processes.")
    int start(@Mixin ApiOptions options,
              @Option(names = {"-p", "--pool"}, required = true, paramLabel = "POOL") String pool,
              @Option(names = {"-q", "--queue", "--work-queue"}, paramLabel = "QUEUE",
                      description = "Only this queue of the pool (repeatable; default: all of them).") List<String> queues,
              @Option(names = "--limit", paramLabel = "N", defaultValue = "10",
                      description = "Most flow runs at once. Default: ${DEFAULT-VALUE}.") int limit,
              @Option(names = {"-n", "--name"}, paramLabel = "NAME",
                      description = "Worker name. Default: hostname-<random>.") String name,
              @Option(names = "--run-once", description = "Run what is scheduled now, then exit.") boolean runOnce,
              @Option(names = "--heartbeat-seconds", paramLabel = "SECONDS", defaultValue = "30",
                      description = "How often to tell the API this worker is alive. Default: ${DEFAULT-VALUE}.")
              int heartbeatSeconds) {
        if (limit < 1) throw new UsageError("--limit must be 1 or more (got " + limit + ")");
        if (heartbeatSeconds < 1) throw new UsageError("--heartbeat-seconds must be 1 or more (got " + heartbeatSeconds + ")");
        WorkerLog log = new WorkerLog(options.output().writer(), ZoneId.systemDefault());
        ApiClient retrying = new ApiClient(options.url(), options.apiKey(), Retry.untilBack(log::line));
        FerryApi api = new FerryApi(retrying);
        FerryApi probe = options.api();
        checkPoolType(api, pool);

        String workerName = name != null && !name.isBlank() ? name : defaultName();
        RunSettings settings = RunSettings.defaults(workerName, retrying.baseUrl(), retrying.apiKey(),
                Path.of("").toAbsolutePath());
        ProcessWorker worker = new ProcessWorker(api, probe,
                new ProcessWorker.Options(pool, queues == null ? List.of() : List.copyOf(queues), limit, runOnce,
                        heartbeatSeconds), settings, log);
        Thread hook = new Thread(worker::shutdown, "ferry-worker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        worker.run();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook is running and finishes the job
        }
        return 0;
    }

    @Command(name = "ls", description = "List the workers of a pool.")
    void ls(@Mixin ApiOptions options, @Option(names = {"-p", "--pool"}, required = true, paramLabel = "POOL") String pool) {
        List<JsonNode> workers = options.api().workers(pool);
        Instant now = Instant.now();
        Table table = Table.of("Workers in pool '" + pool + "'", "Name", "Status", "Last Heartbeat", "Heartbeat Interval");
        for (JsonNode w : workers) {
            JsonNode interval = w.path("heartbeat_interval_seconds");
            table.row(w.path("name").asText(), w.path("status").asText(),
                    Times.relative(Times.instant(w.get("last_heartbeat_time")), now),
                    interval.isNumber() ? interval.asText() + "s" : "-");
        }
        options.output().list(workers, table, "Work pool '" + pool + "' has no workers; start one with: "
                + "ferry worker start --pool '" + pool + "'");
    }

    private static void checkPoolType(FerryApi api, String pool) {
        String type = api.workPool(pool).path("type").asText();
        if (!type.isEmpty() && !type.equals("process")) {
            throw new UsageError("work pool '" + pool + "' is an " + type + " pool; its runs are started by its own "
                    + "infrastructure, and 'ferry worker' serves process pools only");
        }
    }

    static String defaultName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = System.getenv().getOrDefault("HOSTNAME", "worker");
        }
        int dot = host.indexOf('.');
        if (dot > 0) host = host.substring(0, dot);
        byte[] random = new byte[3];
        ThreadLocalRandom.current().nextBytes(random);
        return host + "-" + HexFormat.of().formatHex(random);
    }
}
