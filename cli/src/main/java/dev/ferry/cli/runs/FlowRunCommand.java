package dev.ferry.cli.runs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.client.FerryApi;
import dev.ferry.cli.commands.ApiOptions;
import dev.ferry.cli.commands.DeploymentRef;
import dev.ferry.cli.commands.UsageError;
import dev.ferry.cli.output.Output;
import dev.ferry.cli.output.Table;
import dev.ferry.cli.output.Times;
import dev.ferry.cli.worker.RunExecutor;
import dev.ferry.core.runs.StateType;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "flow-run", description = "List, inspect, follow, cancel and retry flow runs.")
public final class FlowRunCommand {
    private static final String RUN_REF = "The run's name or ID; a name several runs share is refused, listing their IDs.";

    @Command(name = "ls", description = "List flow runs, newest first.")
    void ls(@Mixin ApiOptions options,
            @Option(names = "--state", paramLabel = "TYPE", split = ",",
                    description = "Only runs in this state type, e.g. RUNNING (repeatable).") List<String> states,
            @Option(names = "--deployment", paramLabel = "FLOW/NAME|ID") String deployment,
            @Option(names = {"-p", "--pool"}, paramLabel = "POOL") String pool,
            @Option(names = "--limit", paramLabel = "N", defaultValue = "20",
                    description = "At most this many. Default: ${DEFAULT-VALUE}.") int limit) {
        if (limit < 1) throw new UsageError("--limit must be 1 or more (got " + limit + ")");
        List<String> types = stateTypes(states);
        FerryApi api = options.api();
        String deploymentId = deployment == null ? null : DeploymentRef.parse(deployment).fetch(api).path("id").asText();
        List<JsonNode> runs = api.flowRuns(new FerryApi.RunQuery(types, deploymentId, pool), limit);
        Instant now = Instant.now();
        Table table = Table.of("Flow Runs", "Name", "ID", "Deployment", "State", "Scheduled/Start", "Attempts", "Duration");
        for (JsonNode r : runs) {
            Instant start = Times.instant(r.get("start_time"));
            Instant shown = start != null ? start : Times.instant(r.get("scheduled_start_time"));
            // The list leaves the state history out; a retried run's attempts are dated by it.
            JsonNode dated = r.path("run_count").asInt() > 1 && !r.has("state_history") ? api.flowRun(r.path("id").asText()) : r;
            Duration duration = Attempts.lastDuration(dated, now);
            table.row(r.path("name").asText(), r.path("id").asText(), deploymentName(r),
                    r.path("state").path("name").asText(r.path("state_type").asText()),
                    Times.relative(shown, now), String.valueOf(r.path("run_count").asInt()),
                    duration == null ? "-" : Times.duration(duration));
        }
        options.output().list(runs, table, "No flow runs match");
    }

    @Command(name = "inspect", description = "Show a flow run as JSON.")
    void inspect(@Mixin ApiOptions options, @Parameters(paramLabel = "NAME|ID", description = RUN_REF) String ref) {
        options.output().print(RunRef.find(options.api(), ref));
    }

    @Command(name = "logs", description = "Print a flow run's log lines.")
    void logs(@Mixin ApiOptions options, @Parameters(paramLabel = "NAME|ID", description = RUN_REF) String ref,
              @Option(names = {"-f", "--follow"}, description = "Keep printing until the run ends.") boolean follow) {
        FerryApi api = options.api();
        Output out = options.output();
        // A typo'd name or ID should say "not found", not print nothing.
        String id = RunRef.find(api, ref).path("id").asText();
        if (follow) {
            new RunWatcher(api, out.writer(), ZoneId.systemDefault()).logs(id, out.json());
            return;
        }
        List<JsonNode> lines = new ArrayList<>();
        long after = 0;
        while (true) {
            JsonNode page = api.logs(id, after, RunEvents.LOG_PAGE);
            int before = lines.size();
            for (JsonNode line : page.path("items")) {
                lines.add(line);
                after = Math.max(after, line.path("seq").asLong());
            }
            if (lines.size() == before || !page.path("next").isTextual()) break;
        }
        if (out.json()) {
            out.print(lines);
            return;
        }
        RunEvents format = new RunEvents(api, id, out.writer(), ZoneId.systemDefault(), false);
        for (JsonNode line : lines) out.writer().println(format.logLine(line, Times.instant(line.get("timestamp"))));
        out.writer().flush();
    }

    @Command(name = "cancel", description = "Cancel a flow run (a running one is stopped by its worker).")
    void cancel(@Mixin ApiOptions options, @Parameters(paramLabel = "NAME|ID", description = RUN_REF) String ref) {
        FerryApi api = options.api();
        String id = RunRef.find(api, ref).path("id").asText();
        JsonNode run = api.cancel(id);
        Output out = options.output();
        if (out.json()) {
            out.print(run);
            return;
        }
        String state = run.path("state").path("type").asText();
        out.line(("CANCELLED".equals(state) ? "Cancelled" : "Cancelling") + " flow run '" + run.path("name").asText()
                + "' (" + id + ")" + ("CANCELLING".equals(state) ? "; its worker stops it at the next heartbeat" : ""));
    }

    @Command(name = "retry", description = "Run a finished flow run again.")
    void retry(@Mixin ApiOptions options, @Parameters(paramLabel = "NAME|ID", description = RUN_REF) String ref) {
        FerryApi api = options.api();
        String id = RunRef.find(api, ref).path("id").asText();
        JsonNode run = api.retry(id);
        Output out = options.output();
        if (out.json()) out.print(run);
        else out.line("Flow run '" + run.path("name").asText() + "' (" + id + ") is scheduled to run again ("
                + run.path("state").path("name").asText() + ")");
    }

    @Command(name = "execute", description = "Run one claimed (PENDING) flow run here: its pull steps, its "
            + "entrypoint, its logs and states reported through the API. For containers started by a dispatcher; "
            + "exits 0 only if it COMPLETED.")
    int execute(@Mixin ApiOptions options, @Parameters(paramLabel = "RUN_ID") String id) {
        return RunExecutor.execute(options, id);
    }

    static List<String> stateTypes(List<String> states) {
        List<String> types = new ArrayList<>();
        if (states == null) return types;
        for (String s : states) {
            String type = s.strip().toUpperCase(Locale.ROOT);
            if (type.isEmpty()) continue;
            if (Arrays.stream(StateType.values()).noneMatch(t -> t.name().equals(type))) {
                throw new UsageError("--state '" + s + "' is not a state type; accepted: "
                        + Arrays.stream(StateType.values()).map(Enum::name).collect(Collectors.joining(", ")));
            }
            types.add(type);
        }
        return types;
    }

    private static String deploymentName(JsonNode run) {
        String flow = run.path("flow_name").asText("");
        String name = run.path("deployment_name").asText("");
        if (flow.isEmpty() && name.isEmpty()) return run.path("deployment_id").asText("-");
        return flow + "/" + name;
    }
}
