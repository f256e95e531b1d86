package dev.ferry.cli.runs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.client.ApiProblem;
import dev.ferry.cli.client.FerryApi;
import dev.ferry.cli.commands.NameOrId;
import java.util.List;

/**
 * A flow run named on the command line by its ID or its name. Run names are generated and need
 * not be unique, and the API has no lookup by name, so a name is looked for among the newest
 * {@value #NAME_SCAN} runs. The argument is tried as an ID first: that keeps {@code logs ID --follow}
 * one request, and costs a name one 404.
 */
public final class RunRef {
    static final int NAME_SCAN = 1000;

    private RunRef() {}

    public static JsonNode find(FerryApi api, String ref) {
        if (ref != null && !ref.isBlank()) {
            try {
                return api.flowRun(ref);
            } catch (ApiProblem p) {
                if (p.status() != 404) throw p;
            }
        }
        return NameOrId.find("flow run", ref, name -> named(api, name), api::flowRun, RunRef::describe,
                " among the newest " + NAME_SCAN + " runs; see their names and IDs with: ferry flow-run ls");
    }

    private static List<JsonNode> named(FerryApi api, String name) {
        return api.flowRuns(new FerryApi.RunQuery(List.of(), null, null), NAME_SCAN).stream()
                .filter(run -> name.equals(run.path("name").asText())).toList();
    }

    private static String describe(JsonNode run) {
        String created = run.path("created").asText("");
        return run.path("id").asText() + " (" + run.path("state").path("name").asText(run.path("state_type").asText())
                + ", " + run.path("flow_name").asText() + "/" + run.path("deployment_name").asText()
                + (created.isEmpty() ? "" : ", created " + created) + ")";
    }
}
