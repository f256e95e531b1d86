package dev.ferry.cli.deployments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.client.ApiResponse;
import dev.ferry.cli.commands.ApiOptions;
import dev.ferry.cli.commands.KeyValues;
import dev.ferry.cli.commands.UsageError;
import dev.ferry.cli.flows.FlowSignature;
import dev.ferry.cli.output.Output;
import dev.ferry.core.common.Json;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "deploy", description = "Create or update a deployment of a Python flow function.")
public final class DeployCommand implements Callable<Integer> {
    @Mixin
    ApiOptions options;

    // --version here is the deployment's version, so the inherited -V/--version can't apply; help still must.
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Parameters(paramLabel = "ENTRYPOINT", description = "path/file.py:function, relative to this directory.")
    String entrypoint;

    @Option(names = {"-n", "--name"}, required = true, paramLabel = "NAME", description = "Deployment name.")
    String name;

    @Option(names = {"-p", "--pool"}, required = true, paramLabel = "POOL", description = "Work pool to run it in.")
    String pool;

    @Option(names = {"-q", "--queue"}, paramLabel = "QUEUE", description = "Work queue (default: the pool's default).")
    String queue;

    @Option(names = "--flow-name", paramLabel = "FLOW", description = "Default: the function name with '_' as '-'.")
    String flowName;

    @Option(names = "--param", paramLabel = "KEY=VALUE", description = "Default parameter value (repeatable).")
    List<String> params;

    @Option(names = "--params", paramLabel = "JSON", description = "Default parameters as a JSON object.")
    String paramsJson;

    @Option(names = "--job-variable", paramLabel = "KEY=VALUE", description = "Job variable (repeatable).")
    List<String> jobVariables;

    @Option(names = {"-t", "--tag"}, paramLabel = "TAG", description = "Tag (repeatable).")
    List<String> tags;

    @Option(names = "--concurrency-limit", paramLabel = "N", description = "Most runs of this deployment at once.")
    Integer concurrencyLimit;

    @Option(names = "--collision-strategy", paramLabel = "STRATEGY",
            description = "At the limit: ENQUEUE (wait) or CANCEL_NEW.")
    String collisionStrategy;

    @Option(names = "--description", paramLabel = "TEXT")
    String description;

    @Option(names = "--version", paramLabel = "VERSION")
    String version;

    @Option(names = "--retries", paramLabel = "N", description = "Times a failed run is tried again.")
    Integer retries;

    @Option(names = "--retry-delay", paramLabel = "SECONDS", description = "Wait between retries.")
    Integer retryDelay;

    @Override
    public Integer call() {
        String strategy = collisionStrategy();
        ObjectNode schema = readSchema();
        String flow = flowName != null ? flowName : FlowSignature.flowName(function());
        ObjectNode body = Json.MAPPER.createObjectNode()
                .put("name", name)
                .put("flow_name", flow)
                .put("entrypoint", entrypoint)
                .put("work_pool_name", pool);
        if (queue != null) body.put("work_queue_name", queue);
        body.set("parameters", ParameterValues.of(paramsJson, params, schema));
        body.set("parameter_openapi_schema", schema);
        body.set("job_variables", KeyValues.parse("--job-variable", jobVariables, key -> false));
        if (tags != null) tags.forEach(body.putArray("tags")::add);
        if (concurrencyLimit != null) body.put("concurrency_limit", concurrencyLimit);
        if (strategy != null) body.put("collision_strategy", strategy);
        if (description != null) body.put("description", description);
        if (version != null) body.put("version", version);
        if (retries != null) body.put("retries", retries);
        if (retryDelay != null) body.put("retry_delay_seconds", retryDelay);

        ApiResponse answer = options.api().upsertDeployment(body);
        JsonNode deployment = answer.body();
        Output out = options.output();
        if (out.json()) {
            out.print(deployment);
            return 0;
        }
        String ref = DeploymentRef.display(deployment);
        out.line("Deployment '" + ref + "' " + (answer.created() ? "created" : "updated"));
        out.line("Run it with: ferry deployment run '" + ref + "'");
        return 0;
    }

    private ObjectNode readSchema() {
        try {
            return FlowSignature.read(Path.of("").toAbsolutePath(), entrypoint);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
    }

    private String function() {
        return entrypoint.substring(entrypoint.lastIndexOf(':') + 1);
    }

    private String collisionStrategy() {
        if (collisionStrategy == null) return null;
        if (concurrencyLimit == null) {
            throw new UsageError("--collision-strategy only applies with --concurrency-limit N");
        }
        String value = collisionStrategy.toUpperCase(Locale.ROOT).replace('-', '_');
        if (!value.equals("ENQUEUE") && !value.equals("CANCEL_NEW")) {
            throw new UsageError("--collision-strategy '" + collisionStrategy + "' is not one of ENQUEUE, CANCEL_NEW");
        }
        return value;
    }
}
