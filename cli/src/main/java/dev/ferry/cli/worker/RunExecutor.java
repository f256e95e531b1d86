package dev.ferry.cli.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.client.ApiClient;
import dev.ferry.cli.client.FerryApi;
import dev.ferry.cli.client.Retry;
import dev.ferry.cli.commands.ApiOptions;
import dev.ferry.cli.commands.UsageError;
import dev.ferry.core.common.Json;
import java.nio.file.Path;
import java.time.ZoneId;

/**
 * {@code ferry flow-run execute RUN_ID}: runs one flow run that a dispatcher has already claimed,
 * in whatever container or machine this is, with the worker's own machinery (pull steps, the
 * Python runner, log shipping, heartbeats, state reports). The ECS task's default command.
 */
public final class RunExecutor {
    /** Run tokens look like this; only such a key is handed on to the flow's own process. */
    static final String RUN_TOKEN_PREFIX = "ferry_run_";

    private RunExecutor() {}

    /** Runs it to the end; 0 when it COMPLETED, 1 otherwise. */
    public static int execute(ApiOptions options, String runId) {
        WorkerLog log = new WorkerLog(options.output().writer(), ZoneId.systemDefault());
        ApiClient retrying = new ApiClient(options.url(), options.apiKey(), Retry.untilBack(log::line));
        FerryApi api = new FerryApi(retrying);
        FerryApi probe = options.api();

        JsonNode run = probe.flowRun(runId);
        String type = run.path("state").path("type").asText();
        if (!"PENDING".equals(type)) {
            throw new UsageError("flow run " + runId + " is " + run.path("state").path("name").asText(type)
                    + "; 'ferry flow-run execute' runs a run that a worker or dispatcher has claimed (PENDING)");
        }
        JsonNode deployment = probe.deploymentOfRun(runId);
        ObjectNode claimed = Json.MAPPER.createObjectNode();
        claimed.set("flow_run", run);
        claimed.set("deployment", deployment);
        // The container's environment already holds what the job template rendered; echo the
        // flow's output too, so the container's own log shows it.
        claimed.putObject("job_configuration").put("stream_output", true);
        String key = options.apiKey();
        if (key != null && key.startsWith(RUN_TOKEN_PREFIX)) claimed.put("run_token", key);

        RunSettings settings = RunSettings.defaults("execute-" + WorkerCommand.defaultName(), retrying.baseUrl(),
                key, Path.of("").toAbsolutePath());
        RunProcess process = new RunProcess(api, probe, settings, claimed, log);
        Thread hook = new Thread(process::abort, "ferry-execute-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        process.run();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook reports the run
        }
        return "COMPLETED".equals(process.lastState().path("type").asText()) ? 0 : 1;
    }
}
