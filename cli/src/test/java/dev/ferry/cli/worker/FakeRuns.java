package dev.ferry.cli.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.client.ApiClient;
import dev.ferry.cli.client.FerryApi;
import dev.ferry.cli.client.Retry;
import dev.ferry.cli.testing.FakeApi;
import dev.ferry.cli.testing.FakeApi.Reply;
import dev.ferry.core.common.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The slice of the Ferry API a worker talks to, over a real HTTP socket: runs to claim, a state
 * per run that {@code set_state} moves (accepting everything unless told otherwise), heartbeats,
 * and the log lines it was sent.
 */
final class FakeRuns implements AutoCloseable {
    final FakeApi http = new FakeApi();
    final Map<String, String> states = new ConcurrentHashMap<>();
    final List<JsonNode> toClaim = new CopyOnWriteArrayList<>();
    final StringWriter console = new StringWriter();
    final WorkerLog log = new WorkerLog(new PrintWriter(console, true), ZoneOffset.UTC);

    FakeRuns() {
        http.on("POST", "/api/flow_runs/([^/]+)/set_state", call -> {
            String id = call.path().split("/")[3];
            String type = call.body().path("state").path("type").asText();
            states.put(id, type);
            ObjectNode run = runNode(id, type, call.body().path("state").path("message").asText(null));
            return Reply.ok(Json.MAPPER.createObjectNode().put("status", "ACCEPT").set("flow_run", run));
        });
        http.on("POST", "/api/flow_runs/([^/]+)/heartbeat", call -> {
            String id = call.path().split("/")[3];
            return Reply.ok(runNode(id, states.getOrDefault(id, "RUNNING"), null));
        });
        http.on("POST", "/api/flow_runs/([^/]+)/logs", call -> Reply.noContent());
        http.on("POST", "/api/work_pools/([^/]+)/workers/heartbeat",
                call -> Reply.ok(Json.MAPPER.createObjectNode().put("name", call.body().path("name").asText())));
        http.on("POST", "/api/work_pools/([^/]+)/get_scheduled_flow_runs", call -> {
            int limit = call.body().path("limit").asInt();
            ObjectNode answer = Json.MAPPER.createObjectNode();
            var items = answer.putArray("items");
            synchronized (toClaim) {
                while (!toClaim.isEmpty() && items.size() < limit) {
                    JsonNode item = toClaim.remove(0);
                    states.put(item.path("flow_run").path("id").asText(), "PENDING");
                    items.add(item);
                }
            }
            return Reply.ok(answer);
        });
    }

    static ObjectNode runNode(String id, String type, String message) {
        ObjectNode run = Json.MAPPER.createObjectNode().put("id", id).put("name", "run-" + id);
        ObjectNode state = run.putObject("state").put("type", type)
                .put("name", type.charAt(0) + type.substring(1).toLowerCase());
        if (message != null) state.put("message", message);
        return run;
    }

    /** A claimed item whose job runs {@code command} (through the shell-like splitter). */
    static ObjectNode item(String id, String command, Integer timeoutSeconds, Map<String, String> env) {
        ObjectNode item = Json.MAPPER.createObjectNode();
        ObjectNode run = item.putObject("flow_run").put("id", id).put("name", "run-" + id).put("deployment_id", "dep-1");
        run.putObject("parameters").put("name", "Marvin").put("count", 3);
        item.putObject("deployment").put("id", "dep-1").put("entrypoint", "flows/hello.py:hello");
        ObjectNode job = item.putObject("job_configuration").put("command", command).putNull("working_dir")
                .put("stream_output", false);
        if (timeoutSeconds == null) job.putNull("timeout_seconds");
        else job.put("timeout_seconds", timeoutSeconds);
        ObjectNode envNode = job.putObject("env");
        env.forEach(envNode::put);
        item.put("run_token", "ferry_run_" + id + "_token");
        return item;
    }

    FerryApi retrying() {
        return new FerryApi(new ApiClient(http.url(), "k3y", Retry.untilBack(log::line)));
    }

    FerryApi probe() {
        return new FerryApi(new ApiClient(http.url(), "k3y", Retry.never()));
    }

    RunSettings settings(String worker) {
        return new RunSettings(worker, http.url(), "k3y", Path.of("").toAbsolutePath(), Duration.ofMillis(200),
                Duration.ofSeconds(1), Duration.ofSeconds(1));
    }

    RunProcess runProcess(JsonNode item) {
        return new RunProcess(retrying(), probe(), settings("w1"), item, log);
    }

    /** The states reported for {@code id}, in order, as "TYPE" or "TYPE: message". */
    List<String> reports(String id) {
        List<String> reports = new ArrayList<>();
        for (FakeApi.Call call : http.calls("POST", "/api/flow_runs/" + id + "/set_state")) {
            JsonNode state = call.body().path("state");
            reports.add(state.path("type").asText()
                    + (state.path("message").isTextual() ? ": " + state.path("message").asText() : ""));
        }
        return reports;
    }

    List<JsonNode> logLines(String id) {
        List<JsonNode> lines = new ArrayList<>();
        for (FakeApi.Call call : http.calls("POST", "/api/flow_runs/" + id + "/logs")) {
            call.body().path("logs").forEach(lines::add);
        }
        return lines;
    }

    List<String> messages(String id) {
        return logLines(id).stream().map(l -> l.path("message").asText()).toList();
    }

    @Override
    public void close() {
        http.close();
    }
}
