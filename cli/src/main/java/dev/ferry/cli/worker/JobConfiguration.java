package dev.ferry.cli.worker;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How to run one flow run, as rendered by the server from the pool's base job template and
 * the deployment's job variables.
 *
 * @param command shell-like command line, or null to run the deployment's Python entrypoint
 * @param env extra environment variables for the flow process
 * @param workingDir directory to run in, or null for the worker's own
 * @param streamOutput echo the flow's output on the worker's stdout too
 * @param timeoutSeconds stop the run after this long, or null for no limit
 */
record JobConfiguration(String command, Map<String, String> env, String workingDir, boolean streamOutput,
                        Integer timeoutSeconds) {

    static JobConfiguration from(JsonNode node) {
        Map<String, String> env = new LinkedHashMap<>();
        node.path("env").fields().forEachRemaining(e -> {
            JsonNode value = e.getValue();
            // A null value means "not set"; numbers and booleans are written as the user typed them.
            if (!value.isNull()) env.put(e.getKey(), value.isValueNode() ? value.asText() : value.toString());
        });
        JsonNode timeout = node.path("timeout_seconds");
        return new JobConfiguration(
                text(node.path("command")),
                env,
                text(node.path("working_dir")),
                node.path("stream_output").asBoolean(false),
                timeout.canConvertToInt() && timeout.asInt() > 0 ? timeout.asInt() : null);
    }

    private static String text(JsonNode value) {
        return value.isTextual() && !value.asText().isBlank() ? value.asText() : null;
    }
}
