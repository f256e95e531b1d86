package dev.ferry.cli.automations;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.client.ApiProblem;
import dev.ferry.cli.client.FerryApi;
import dev.ferry.cli.commands.ApiOptions;
import dev.ferry.cli.commands.Failure;
import dev.ferry.cli.commands.NameOrId;
import dev.ferry.cli.commands.UsageError;
import dev.ferry.cli.output.Output;
import dev.ferry.cli.output.Table;
import dev.ferry.core.common.Json;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "automation", description = "Create automations from a file, list them, see why they fired or not, "
        + "pause, resume and delete them.")
public final class AutomationCommand {
    // The server's ids; a name may look like one too, so a name is always tried first.

    @Command(name = "create", description = "Create an automation from a YAML or JSON file in the API's shape "
            + "(name, description, enabled, trigger, actions).",
            footer = {"", "Example (nightly-report.yaml: run reports/nightly-report after etl/load completes):",
                    "  name: nightly-report-after-load",
                    "  description: The report reads what the load wrote",
                    "  trigger:",
                    "    type: event",
                    "    expect: [ferry.flow-run.Completed]",
                    "    match_related:",
                    "      ferry.resource.role: deployment",
                    "      ferry.resource.name: etl/load",
                    "  actions:",
                    "    - type: run-deployment",
                    "      deployment_id: <ID>   # ferry deployment inspect reports/nightly-report",
                    "      parameters:",
                    "        upstream_run: \"{{ flow_run.name }}\"",
                    "",
                    "  ferry automation create -f nightly-report.yaml",
                    "  ferry automation create -f nightly-report.yaml --update   # after editing it"})
    void create(@Mixin ApiOptions options,
                @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE",
                        description = "The automation: a .yaml, .yml or .json file (else told by its content); - reads stdin.")
                String file,
                @Option(names = "--update", description = "If an automation of that name exists, make it what the file says "
                        + "(description, trigger, actions; enabled only if the file gives it) instead of failing.")
                boolean update) {
        AutomationFile automation = AutomationFile.read(file, System.in);
        FerryApi api = options.api();
        JsonNode stored;
        String done;
        try {
            stored = api.createAutomation(automation.create());
            done = "Created";
        } catch (ApiProblem problem) {
            if (problem.status() != 409) throw problem;
            if (!update) {
                throw new Failure(problem.describe() + "; to make it what " + automation.shownAs() + " says, add --update");
            }
            String id = api.automationByName(automation.name()).path("id").asText();
            stored = api.updateAutomation(id, automation.replacement());
            done = "Updated";
        }
        Output out = options.output();
        if (out.json()) out.print(stored);
        else out.line(done + " automation '" + stored.path("name").asText() + "' (" + stored.path("id").asText() + ")");
    }

    @Command(name = "ls", description = "List automations by name.")
    void ls(@Mixin ApiOptions options) {
        List<JsonNode> automations = options.api().automations();
        Table table = Table.of("Automations", "Name", "Enabled", "Trigger", "Actions", "Id");
        for (JsonNode a : automations) {
            table.row(a.path("name").asText(), String.valueOf(a.path("enabled").asBoolean()),
                    Triggers.summary(a.path("trigger")), actionTypes(a.path("actions")), a.path("id").asText());
        }
        options.output().list(automations, table,
                "No automations yet; create one with: ferry automation create -f automation.yaml");
    }

    @Command(name = "inspect", description = "Show an automation and why it fired or not: its open windows, recent "
            + "firings with each action's outcome, and its latest evaluations, near misses (an expected event whose "
            + "labels differed) included.",
            footer = {"", "Examples:",
                    "  ferry automation inspect nightly-report-after-load",
                    "  ferry automation inspect nightly-report-after-load --limit 100",
                    "  ferry automation inspect nightly-report-after-load -o json"})
    void inspect(@Mixin ApiOptions options,
                 @Parameters(paramLabel = "NAME|ID", description = "The automation's name (or its ID).") String ref,
                 @Option(names = "--limit", paramLabel = "N", defaultValue = "20",
                         description = "Show at most this many evaluations, newest first. Default: ${DEFAULT-VALUE}.")
                 int limit) {
        if (limit < 1) throw new UsageError("--limit must be 1 or more (got " + limit + ")");
        FerryApi api = options.api();
        JsonNode history = api.automationHistory(find(api, ref).path("id").asText());
        Output out = options.output();
        if (out.json()) out.print(history);
        else out.writer().print(new History(history, ZoneId.systemDefault()).render(limit));
        out.writer().flush();
    }

    @Command(name = "pause", description = "Pause an automation: events are not evaluated for it and it fires nothing "
            + "until resumed.")
    void pause(@Mixin ApiOptions options, @Parameters(paramLabel = "NAME|ID", description = "The automation's name (or its ID).")
               String ref) {
        setEnabled(options, ref, false, "Paused");
    }

    @Command(name = "resume", description = "Resume a paused automation.")
    void resume(@Mixin ApiOptions options, @Parameters(paramLabel = "NAME|ID", description = "The automation's name (or its ID).")
                String ref) {
        setEnabled(options, ref, true, "Resumed");
    }

    @Command(name = "delete", description = "Delete an automation; its open windows go with it.")
    void delete(@Mixin ApiOptions options, @Parameters(paramLabel = "NAME|ID", description = "The automation's name (or its ID).")
                String ref) {
        FerryApi api = options.api();
        JsonNode automation = find(api, ref);
        api.deleteAutomation(automation.path("id").asText());
        if (!options.output().json()) options.output().line("Deleted automation '" + automation.path("name").asText() + "'");
    }

    private static void setEnabled(ApiOptions options, String ref, boolean enabled, String done) {
        FerryApi api = options.api();
        JsonNode automation = find(api, ref);
        JsonNode changed = api.updateAutomation(automation.path("id").asText(),
                Json.MAPPER.createObjectNode().put("enabled", enabled));
        Output out = options.output();
        if (out.json()) out.print(changed);
        else out.line(done + " automation '" + changed.path("name").asText() + "'");
    }

    /** By name; by ID when no automation has that name and it looks like an ID. A miss says so with the name. */
    static JsonNode find(FerryApi api, String ref) {
        return NameOrId.find("automation", ref, NameOrId.unique(api::automationByName), api::automation, a -> a.path("id").asText());
    }

    static String actionTypes(JsonNode actions) {
        List<String> types = new ArrayList<>();
        actions.forEach(a -> types.add(a.path("type").asText()));
        return String.join(", ", types);
    }
}
