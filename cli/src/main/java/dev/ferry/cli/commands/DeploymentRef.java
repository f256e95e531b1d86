package dev.ferry.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.client.FerryApi;

/** How a user names a deployment: {@code FLOW/NAME}, or its ID. */
public record DeploymentRef(String flowName, String name, String id) {

    public static DeploymentRef parse(String text) {
        String value = text == null ? "" : text.strip();
        if (value.isEmpty()) {
            throw new UsageError("a deployment is named FLOW/NAME (e.g. my-flow/my-deployment) or by its ID; got nothing");
        }
        int slash = value.indexOf('/');
        if (slash < 0) return new DeploymentRef(null, null, value);
        String flow = value.substring(0, slash);
        String name = value.substring(slash + 1);
        if (flow.isBlank() || name.isBlank() || name.indexOf('/') >= 0) {
            throw new UsageError("deployment '" + value + "' must be FLOW/NAME with one '/' (e.g. my-flow/my-deployment)"
                    + " or a deployment ID");
        }
        return new DeploymentRef(flow, name, null);
    }

    public boolean byName() {
        return id == null;
    }

    public JsonNode fetch(FerryApi api) {
        return byName() ? api.deploymentByName(flowName, name) : api.deployment(id);
    }

    @Override
    public String toString() {
        return byName() ? flowName + "/" + name : id;
    }

    /** The {@code flow/name} a user would type, from a deployment as the API returns it. */
    public static String display(JsonNode deployment) {
        return deployment.path("flow_name").asText() + "/" + deployment.path("name").asText();
    }
}
