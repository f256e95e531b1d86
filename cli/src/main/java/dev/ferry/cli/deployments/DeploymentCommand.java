package dev.ferry.cli.deployments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.client.ApiResponse;
import dev.ferry.cli.client.FerryApi;
import dev.ferry.cli.commands.ApiOptions;
import dev.ferry.cli.commands.KeyValues;
import dev.ferry.cli.output.Output;
import dev.ferry.cli.output.Table;
import dev.ferry.cli.output.Times;
import dev.ferry.cli.pools.Limits;
import dev.ferry.cli.runs.RunWatcher;
import dev.ferry.core.common.Json;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "deployment", description = "List, inspect and run deployments.")
public final class DeploymentCommand {

    @Command(name = "ls", description = "List deployments.")
    void ls(@Mixin ApiOptions options,
            @Option(names = {"-p", "--pool"}, paramLabel = "POOL", description = "Only this work pool's.") String pool) {
        List<JsonNode> deployments = options.api().deployments(pool);
        Instant now = Instant.now();
        Table table = Table.of("Deployments", "Name", "ID", "Work Pool", "Work Queue", "Concurrency Limit",
                "Paused", "Updated");
        for (JsonNode d : deployments) {
            table.row(DeploymentRef.display(d), d.path("id").asText(), d.path("work_pool_name").asText(),
                    d.path("work_queue_name").asText(), Limits.show(d.path("concurrency_limit")),
                    String.valueOf(d.path("paused").asBoolean()), Times.relative(Times.instant(d.get("updated")), now));
        }
        options.output().list(deployments, table, pool == null
                ? "No deployments yet; create one with: ferry deploy path/file.py:function -n NAME -p POOL"
                : "Work pool '" + pool + "' has no deployments");
    }

    @Command(name = "inspect", description = "Show a deployment as JSON.")
    void inspect(@Mixin ApiOptions options, @Parameters(paramLabel = "FLOW/NAME|ID") String ref) {
        options.output().print(DeploymentRef.parse(ref).fetch(options.api()));
    }

    @Command(name = "run", description = "Create a flow run of a deployment.")
    int run(@Mixin ApiOptions options,
            @Parameters(paramLabel = "FLOW/NAME|ID") String ref,
            @Option(names = "--param", paramLabel = "KEY=VALUE",
                    description = "Parameter value, read by the parameter's type (repeatable).") List<String> params,
            @Option(names = "--params", paramLabel = "JSON", description = "Parameters as a JSON object.") String paramsJson,
            @Option(names = "--job-variable", paramLabel = "KEY=VALUE", description = "Job variable (repeatable).")
            List<String> jobVariables,
            @Option(names = "--idempotency-key", paramLabel = "KEY",
                    description = "Repeating a key returns the run it created.") String idempotencyKey,
            @Option(names = "--start-in", paramLabel = "DURATION", description = "e.g. 30s, 10m, 2h, 1d.") String startIn,
            @Option(names = "--start-at", paramLabel = "TIME", description = "ISO-8601, e.g. 2026-01-31T12:00:00Z.")
            String startAt,
            @Option(names = {"-t", "--tag"}, paramLabel = "TAG", description = "Tag (repeatable).") List<String> tags,
            @Option(names = "--watch", description = "Follow states and logs until the run ends; exit 0 only if it completed.")
            boolean watch) {
        ZoneId zone = ZoneId.systemDefault();
        Instant start = StartTimes.parse(startIn, startAt, Instant.now(), zone);
        FerryApi api = options.api();
        DeploymentRef deploymentRef = DeploymentRef.parse(ref);
        JsonNode deployment = deploymentRef.fetch(api);

        ObjectNode request = Json.MAPPER.createObjectNode();
        ObjectNode parameters = ParameterValues.of(paramsJson, params, deployment.get("parameter_openapi_schema"));
        if (!parameters.isEmpty()) request.set("parameters", parameters);
        ObjectNode variables = KeyValues.parse("--job-variable", jobVariables, key -> false);
        if (!variables.isEmpty()) request.set("job_variables", variables);
        if (idempotencyKey != null) request.put("idempotency_key", idempotencyKey);
        if (start != null) request.put("scheduled_start_time", start.toString());
        if (tags != null) tags.forEach(request.putArray("tags")::add);

        ApiResponse answer = api.createFlowRun(deployment.path("id").asText(), request);
        JsonNode run = answer.body();
        Output out = options.output();
        String runId = run.path("id").asText();
        if (!out.json()) {
            String scheduled = Times.relative(Times.instant(run.get("scheduled_start_time")), Instant.now());
            out.line(answer.created()
                    ? "Created flow run '" + run.path("name").asText() + "' (" + runId + ") of '"
                            + DeploymentRef.display(deployment) + "', scheduled " + scheduled
                    : "Flow run '" + run.path("name").asText() + "' (" + runId + ") already exists for idempotency key '"
                            + idempotencyKey + "'; it is " + run.path("state").path("name").asText());
        }
        if (!watch) {
            if (out.json()) out.print(run);
            else out.line("Follow it with: ferry flow-run logs " + runId + " --follow");
            return 0;
        }
        // With JSON output the progress goes to stderr, so stdout stays one parseable document.
        PrintWriter progress = out.json() ? options.err() : out.writer();
        JsonNode last = new RunWatcher(api, progress, zone).watch(runId);
        if (out.json()) out.print(last);
        return "COMPLETED".equals(last.path("state").path("type").asText()) ? 0 : 1;
    }

    @Command(name = "pause", description = "Pause a deployment: its schedules stop creating runs.")
    void pause(@Mixin ApiOptions options, @Parameters(paramLabel = "FLOW/NAME|ID") String ref) {
        update(options, ref, true);
    }

    @Command(name = "resume", description = "Resume a paused deployment.")
    void resume(@Mixin ApiOptions options, @Parameters(paramLabel = "FLOW/NAME|ID") String ref) {
        update(options, ref, false);
    }

    @Command(name = "delete", description = "Delete a deployment.")
    void delete(@Mixin ApiOptions options, @Parameters(paramLabel = "FLOW/NAME|ID") String ref) {
        FerryApi api = options.api();
        JsonNode deployment = DeploymentRef.parse(ref).fetch(api);
        api.deleteDeployment(deployment.path("id").asText());
        if (!options.output().json()) options.output().line("Deleted deployment '" + DeploymentRef.display(deployment) + "'");
    }

    private static void update(ApiOptions options, String ref, boolean paused) {
        FerryApi api = options.api();
        JsonNode deployment = DeploymentRef.parse(ref).fetch(api);
        JsonNode updated = api.updateDeployment(deployment.path("id").asText(),
                Json.MAPPER.createObjectNode().put("paused", paused));
        Output out = options.output();
        if (out.json()) out.print(updated);
        else out.line((paused ? "Paused" : "Resumed") + " deployment '" + DeploymentRef.display(updated) + "'");
    }
}
