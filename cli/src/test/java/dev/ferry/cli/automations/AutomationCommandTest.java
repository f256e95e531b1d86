package dev.ferry.cli.automations;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.output.Times;
import dev.ferry.cli.testing.Cli;
import dev.ferry.cli.testing.Cli.Result;
import dev.ferry.cli.testing.FakeApi;
import dev.ferry.cli.testing.FakeApi.Reply;
import dev.ferry.core.common.Json;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AutomationCommandTest {
    private static final String ID = "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b";
    private static final String DEPLOYMENT = "0d9c8b7a-6f5e-4d3c-2b1a-0f9e8d7c6b5a";

    private final FakeApi fake = new FakeApi();

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        fake.close();
    }

    private static final String YAML = """
            name: nightly-report-after-load
            description: The report reads what the load wrote
            trigger:
              type: event
              expect: [ferry.flow-run.Completed]
              match_related:
                ferry.resource.role: deployment
                ferry.resource.name: etl/load
            actions:
              - type: run-deployment
                deployment_id: %s
                parameters:
                  upstream_run: "{{ flow_run.name }}"
                  rows: 3
            """.formatted(DEPLOYMENT);

    private static final JsonNode SENT = Json.tree("""
            {"name": "nightly-report-after-load", "description": "The report reads what the load wrote",
             "trigger": {"type": "event", "expect": ["ferry.flow-run.Completed"],
                         "match_related": {"ferry.resource.role": "deployment", "ferry.resource.name": "etl/load"}},
             "actions": [{"type": "run-deployment", "deployment_id": "%s",
                          "parameters": {"upstream_run": "{{ flow_run.name }}", "rows": 3}}]}""".formatted(DEPLOYMENT));

    private static ObjectNode automation(String id, String name, boolean enabled, String trigger, String actions) {
        ObjectNode a = Json.MAPPER.createObjectNode().put("id", id).put("name", name);
        a.putNull("description");
        a.put("enabled", enabled);
        a.set("trigger", Json.tree(trigger));
        a.set("actions", Json.tree(actions));
        a.putNull("deployment_id");
        a.put("created", "2026-01-31T12:00:00Z").put("updated", "2026-01-31T12:00:00Z").put("revision", 1);
        return a;
    }

    private static ObjectNode stored() {
        ObjectNode a = automation(ID, "nightly-report-after-load", true, SENT.get("trigger").toString(),
                SENT.get("actions").toString());
        a.put("description", "The report reads what the load wrote");
        return a;
    }

    private static ObjectNode page(String next, ObjectNode... items) {
        ObjectNode page = Json.MAPPER.createObjectNode();
        ArrayNode array = page.putArray("items");
        for (ObjectNode item : items) array.add(item);
        if (next == null) page.putNull("next");
        else page.put("next", next);
        return page;
    }

    private static String param(FakeApi.Call call, String name) {
        if (call.query() == null) return null;
        for (String pair : call.query().split("&")) {
            String[] kv = pair.split("=", 2);
            if (kv[0].equals(name)) return java.net.URLDecoder.decode(kv[1], StandardCharsets.UTF_8);
        }
        return null;
    }

    private Path write(String name, String text) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    private static String local(String instant) {
        return Times.local(Instant.parse(instant), ZoneId.systemDefault());
    }

    // ---- create

    @Test
    void create_fromYaml_sendsTheDocumentAsWritten_andPrintsNameAndId() throws Exception {
        fake.on("POST", "/api/automations", call -> Reply.json(201, stored()));

        Result result = Cli.against(fake.url(), "automation", "create", "-f", write("a.yaml", YAML).toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(fake.calls("POST", "/api/automations").get(0).body()).isEqualTo(SENT);
        assertThat(result.out()).isEqualTo("Created automation 'nightly-report-after-load' (" + ID + ")\n");
    }

    @Test
    void create_fromJson_byExtensionOrByContent_andWithOutputJson_printsTheAutomation() throws Exception {
        fake.on("POST", "/api/automations", call -> Reply.json(201, stored()));

        Result byExtension = Cli.against(fake.url(), "automation", "create", "-f", write("a.json", SENT.toString()).toString(),
                "-o", "json");
        Result byContent = Cli.against(fake.url(), "automation", "create", "-f", write("automation", SENT.toPrettyString())
                .toString());

        assertThat(byExtension.exitCode()).as(byExtension.err()).isZero();
        assertThat(Json.tree(byExtension.out())).isEqualTo(stored());
        assertThat(byContent.exitCode()).as(byContent.err()).isZero();
        assertThat(fake.calls("POST", "/api/automations")).extracting(FakeApi.Call::body).containsExactly(SENT, SENT);
    }

    @Test
    void create_fromStdin() {
        fake.on("POST", "/api/automations", call -> Reply.json(201, stored()));
        InputStream before = System.in;
        Result result;
        try {
            System.setIn(new ByteArrayInputStream(YAML.getBytes(StandardCharsets.UTF_8)));
            result = Cli.against(fake.url(), "automation", "create", "-f", "-");
        } finally {
            System.setIn(before);
        }

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(fake.calls("POST", "/api/automations").get(0).body()).isEqualTo(SENT);
    }

    @Test
    void create_withUpdate_replacesTheAutomationOfThatName_whenTheNameIsTaken() throws Exception {
        fake.on("POST", "/api/automations", call -> Reply.problem(409,
                "an automation named 'nightly-report-after-load' exists; pick another name or change that one", "name"));
        fake.on("GET", "/api/automations/name/nightly-report-after-load", call -> Reply.ok(stored()));
        fake.on("PATCH", "/api/automations/" + ID, call -> Reply.ok(stored()));
        Path file = write("a.yaml", YAML.replace("description: The report reads what the load wrote\n", ""));

        Result result = Cli.against(fake.url(), "automation", "create", "-f", file.toString(), "--update");

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode patch = fake.calls("PATCH", "/api/automations/" + ID).get(0).body();
        assertThat(patch).isEqualTo(Json.tree("{\"description\": null, \"trigger\": " + SENT.get("trigger")
                + ", \"actions\": " + SENT.get("actions") + "}"));
        assertThat(result.out()).isEqualTo("Updated automation 'nightly-report-after-load' (" + ID + ")\n");
    }

    @Test
    void create_withoutUpdate_showsTheConflict_exit1() throws Exception {
        fake.on("POST", "/api/automations", call -> Reply.problem(409,
                "an automation named 'nightly-report-after-load' exists; pick another name or change that one", "name"));

        Result result = Cli.against(fake.url(), "automation", "create", "-f", write("a.yaml", YAML).toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("error: an automation named 'nightly-report-after-load' exists; pick another "
                + "name or change that one; to make it what " + dir.resolve("a.yaml") + " says, add --update\n");
        assertThat(fake.calls("PATCH", ".*")).isEmpty();
    }

    @Test
    void create_showsAServerProblemWithItsField_exit2() throws Exception {
        fake.on("POST", "/api/automations", call -> Reply.problem(422, "'trigger.threshold' must be from 1 to 10000 (got 0)",
                "trigger.threshold"));
        fake.on("POST", "/api/automations", call -> Reply.problem(422, "the template does not parse: unexpected end",
                "actions[0].parameters.upstream_run"));

        Result result = Cli.against(fake.url(), "automation", "create", "-f", write("a.yaml", YAML).toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("error: the template does not parse: unexpected end "
                + "(field 'actions[0].parameters.upstream_run')\n");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "bad.yaml|'name: x\ntrigger: [unclosed\n'|bad.yaml:2: not valid YAML",
            "bad.json|'{\"name\": \"x\",}'|bad.json:1: not valid JSON",
            "list.yaml|'- name: x\n- name: y\n'|list.yaml: must be one automation, a mapping",
            "scalar.yaml|'just words'|scalar.yaml: must be one automation, a mapping",
            "empty.yaml|'   \n'|empty.yaml: is empty",
            "extra.yaml|'name: x\ncolour: red\n'|extra.yaml:2: colour: unknown key 'colour'; an automation takes: name,",
            "nameless.yaml|'trigger: {expect: a}\n'|nameless.yaml: 'name' is required",
            "twice.yaml|'name: x\nname: y\n'|twice.yaml:2: key 'name' appears twice",
    })
    void create_refusesAFileThatIsNotOneAutomation_exit2_namingTheFile_andSendsNothing(String name, String text, String message)
            throws Exception {
        Path file = write(name, text);

        Result result = Cli.against(fake.url(), "automation", "create", "-f", file.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("error: " + file).contains(message.substring(name.length()))
                .doesNotContain("Exception").hasLineCount(1);
        assertThat(fake.calls()).isEmpty();
    }

    @Test
    void create_refusesAMissingFileOrNoFileOption_exit2() {
        Result missing = Cli.against(fake.url(), "automation", "create", "-f", dir.resolve("nope.yaml").toString());
        Result none = Cli.against(fake.url(), "automation", "create");

        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).isEqualTo("error: -f " + dir.resolve("nope.yaml") + ": no such file\n");
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("--file").contains("see 'ferry automation create --help'");
        assertThat(fake.calls()).isEmpty();
    }

    // ---- ls

    @Test
    void ls_printsATable_withATriggerSummaryAndTheActionTypes_readingEveryPage() {
        fake.on("GET", "/api/automations", call -> "c1".equals(param(call, "next"))
                ? Reply.ok(page(null,
                        automation("id-3", "x-is-late", true, "{\"posture\": \"Proactive\", \"expect\": \"acme.x.done\", "
                                + "\"within\": 10}", "[{\"type\": \"call-webhook\", \"url\": \"https://example.com\"}]"),
                        automation("id-4", "steps", true, "{\"type\": \"sequence\", \"within\": 300, \"triggers\": [{}, {}, {}]}",
                                "[{\"type\": \"cancel-flow-run\"}]")))
                : Reply.ok(page("c1",
                        automation("id-1", "b-after-a", true, "{\"expect\": [\"ferry.flow-run.Completed\"]}",
                                "[{\"type\": \"run-deployment\"}, {\"type\": \"pause-deployment\"}]"),
                        automation("id-2", "both-loaded", false, "{\"type\": \"compound\", \"require\": \"all\", "
                                + "\"triggers\": [{}, {}]}", "[{\"type\": \"run-deployment\"}]"))));

        Result result = Cli.against(fake.url(), "automation", "ls");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(fake.calls("GET", "/api/automations")).extracting(c -> param(c, "next")).containsExactly(null, "c1");
        String row = "%-11s  %-7s  %-36s  %-32s  %s";
        assertThat(result.out().lines().toList()).containsExactly(
                "Automations",
                String.format(row, "Name", "Enabled", "Trigger", "Actions", "Id"),
                String.format(row, "b-after-a", "true", "event: ferry.flow-run.Completed ×1",
                        "run-deployment, pause-deployment", "id-1"),
                String.format(row, "both-loaded", "false", "compound(all of 2)", "run-deployment", "id-2"),
                String.format(row, "x-is-late", "true", "Proactive: acme.x.done ×1 within 10s", "call-webhook", "id-3"),
                String.format(row, "steps", "true", "sequence(3) within 5m", "cancel-flow-run", "id-4"));
    }

    @Test
    void ls_withOutputJson_printsTheItems_andWithNoneSaysHowToCreateOne() {
        fake.on("GET", "/api/automations", call -> Reply.ok(page(null, stored())));
        Result json = Cli.against(fake.url(), "automation", "ls", "-o", "json");
        fake.on("GET", "/api/automations", call -> Reply.ok(page(null)));
        Result none = Cli.against(fake.url(), "automation", "ls");

        assertThat(Json.tree(json.out())).isEqualTo(Json.MAPPER.createArrayNode().add(stored()));
        assertThat(none.out()).isEqualTo("No automations yet; create one with: ferry automation create -f automation.yaml\n");
    }

    // ---- inspect

    private static final String AT_1 = "2026-01-31T12:00:01Z";
    private static final String AT_2 = "2026-01-31T12:00:02Z";
    private static final String AT_3 = "2026-01-31T12:00:03Z";

    private static ObjectNode history(int evaluations) {
        ObjectNode h = Json.MAPPER.createObjectNode();
        h.set("automation", automation(ID, "b-after-a", true, "{\"type\": \"event\", \"expect\": \"ferry.flow-run.Completed\", "
                        + "\"match_related\": {\"ferry.resource.id\": \"ferry.deployment.a\"}, \"threshold\": 3, \"within\": 3600}",
                "[{\"type\": \"run-deployment\", \"deployment_id\": \"d-b\", \"parameters\": {\"x\": 1}}, "
                        + "{\"type\": \"call-webhook\", \"url\": \"https://hooks.example.com/x\"}]"));
        ArrayNode e = h.putArray("evaluations");
        e.add(Json.tree("""
                {"at": "%s", "event_id": "ev-3", "event": "ferry.flow-run.Completed", "trigger": "t", "outcome": "near_miss",
                 "detail": "the event's related deployment: ferry.resource.id was 'ferry.deployment.c', not 'ferry.deployment.a' (match_related[0])",
                 "threshold": 3}""".formatted(AT_3)));
        e.add(Json.tree("""
                {"at": "%s", "trigger": "t", "outcome": "action_failed", "detail": "call-webhook: 503 from hooks.example.com",
                 "firing": "k1"}""".formatted(AT_2)));
        e.add(Json.tree("""
                {"at": "%s", "event_id": "ev-1", "event": "ferry.flow-run.Completed", "trigger": "t", "outcome": "counted",
                 "count": 1, "threshold": 3, "window_start": "%s", "window_end": "2026-01-31T13:00:01Z"}""".formatted(AT_1, AT_1)));
        for (int i = 3; i < evaluations; i++) {
            e.add(Json.tree("{\"at\": \"2026-01-31T11:00:00Z\", \"event\": \"ferry.flow-run.Completed\", \"trigger\": \"t\", "
                    + "\"outcome\": \"counted\", \"count\": 1, \"threshold\": 3}"));
        }
        h.putArray("windows").add(Json.tree("""
                {"trigger": "t", "key": "", "start": "%s", "end": "2026-01-31T13:00:01Z", "count": 1, "events": ["ev-1"]}"""
                .formatted(AT_1)));
        h.putArray("firings").add(Json.tree("""
                {"key": "k1", "automation_id": "%s", "at": "%s", "trigger": "t", "count": 3, "threshold": 3,
                 "event": {"id": "ev-0"}, "done": true,
                 "actions": [{"type": "run-deployment", "status": "ok", "detail": "created flow run crimson-fox", "flow_run_id": "run-9"},
                             {"type": "call-webhook", "status": "failed", "detail": "503 from hooks.example.com"}]}"""
                .formatted(ID, AT_2)));
        return h;
    }

    @Test
    void inspect_showsTheAutomation_itsWindowsFiringsAndEvaluations_withTheNearMissAndTheFailedActionStandingOut() {
        fake.on("GET", "/api/automations/name/b-after-a", call -> Reply.ok(history(3).get("automation")));
        fake.on("GET", "/api/automations/" + ID + "/history", call -> Reply.ok(history(3)));

        Result result = Cli.against(fake.url(), "automation", "inspect", "b-after-a");

        assertThat(result.exitCode()).as(result.err()).isZero();
        String t1 = local(AT_1);
        String end = local("2026-01-31T13:00:01Z");
        String t2 = local(AT_2);
        String t3 = local(AT_3);
        String firing = "%-" + t2.length() + "s  %-7s  %-5s  %-14s  %-6s  %-28s  %s";
        String evaluation = "%-" + t1.length() + "s  %-24s  %-7s  %-13s  %-100s  %s";
        String nearMiss = "the event's related deployment: ferry.resource.id was 'ferry.deployment.c', not "
                + "'ferry.deployment.a' (match_related[0])";
        assertThat(result.out().lines().map(String::stripTrailing).toList()).containsExactly(
                "Automation 'b-after-a' (" + ID + ")",
                "Enabled:     true",
                "Trigger:     event: ferry.flow-run.Completed ×3 within 1h",
                "Actions:     1. run-deployment (deployment_id=d-b)",
                "             2. call-webhook (url=https://hooks.example.com/x)",
                "",
                "Open windows",
                "Trigger  Key  Count  Until",
                "t        -    1/3    " + end,
                "",
                "Recent firings",
                String.format(firing, "At", "Trigger", "Count", "Action", "Status", "Detail", "Flow Run").stripTrailing(),
                String.format(firing, t2, "t", "3/3", "run-deployment", "ok", "created flow run crimson-fox", "run-9"),
                String.format(firing, t2, "t", "3/3", "call-webhook", "FAILED", "503 from hooks.example.com", "-"),
                "",
                "Evaluations (newest first)",
                String.format(evaluation.replace("%-100s", "%-" + nearMiss.length() + "s"),
                        "At", "Event", "Trigger", "Outcome", "Detail", "Count"),
                String.format(evaluation.replace("%-100s", "%-" + nearMiss.length() + "s"),
                        t3, "ferry.flow-run.Completed", "t", "NEAR MISS", nearMiss, "-"),
                String.format(evaluation.replace("%-100s", "%-" + nearMiss.length() + "s"),
                        t2, "-", "t", "ACTION FAILED", "call-webhook: 503 from hooks.example.com", "-"),
                String.format(evaluation.replace("%-100s", "%-" + nearMiss.length() + "s"),
                        t1, "ferry.flow-run.Completed", "t", "counted", "-", "1/3"),
                "1 near miss: an expected event whose labels differed from the trigger's; Detail says which");
    }

    @Test
    void inspect_saysWhyFerryPausedIt_andTheCircuitBreakerStandsOut() {
        ObjectNode h = history(3);
        ((ObjectNode) h.get("automation")).put("enabled", false).put("paused_reason", "fired 60 times within a minute");
        ((com.fasterxml.jackson.databind.node.ArrayNode) h.get("evaluations")).insert(0, Json.tree("""
                {"at": "%s", "trigger": "t", "outcome": "circuit_broken", "detail": "fired 60 times within a minute"}"""
                .formatted(AT_3)));
        fake.on("GET", "/api/automations/name/b-after-a", call -> Reply.ok(h.get("automation")));
        fake.on("GET", "/api/automations/" + ID + "/history", call -> Reply.ok(h));

        Result result = Cli.against(fake.url(), "automation", "inspect", "b-after-a");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out().lines().toList()).contains("Enabled:     false", "Paused:      fired 60 times within a minute");
        assertThat(result.out()).contains("CIRCUIT BROKEN");
    }

    @Test
    void inspect_limitsTheEvaluations_andSaysHowToSeeMore() {
        fake.on("GET", "/api/automations/name/b-after-a", call -> Reply.ok(history(30).get("automation")));
        fake.on("GET", "/api/automations/" + ID + "/history", call -> Reply.ok(history(30)));

        Result result = Cli.against(fake.url(), "automation", "inspect", "b-after-a", "--limit", "2");

        assertThat(result.exitCode()).as(result.err()).isZero();
        List<String> lines = result.out().lines().toList();
        int header = lines.indexOf("Evaluations (newest first)");
        assertThat(lines.subList(header + 2, lines.size())).hasSize(4)
                .endsWith("Showing the newest 2 of 30 evaluations; show more with --limit 30");
        assertThat(lines.get(header + 3)).contains("ACTION FAILED");
    }

    @Test
    void inspect_withOutputJson_printsTheHistoryDocument() {
        fake.on("GET", "/api/automations/name/b-after-a", call -> Reply.ok(history(3).get("automation")));
        fake.on("GET", "/api/automations/" + ID + "/history", call -> Reply.ok(history(3)));

        Result result = Cli.against(fake.url(), "automation", "inspect", "b-after-a", "-o", "json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(Json.tree(result.out())).isEqualTo(history(3));
    }

    @Test
    void inspect_takesAnId_whenNoAutomationHasThatName() {
        fake.on("GET", "/api/automations/name/.*", call -> Reply.problem(404, "automation '" + ID + "' not found", null));
        fake.on("GET", "/api/automations/" + ID, call -> Reply.ok(history(3).get("automation")));
        fake.on("GET", "/api/automations/" + ID + "/history", call -> Reply.ok(history(3)));

        Result result = Cli.against(fake.url(), "automation", "inspect", ID);

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).startsWith("Automation 'b-after-a' (" + ID + ")\n");
    }

    @Test
    void inspect_ofANameNothingHas_saysSo_exit1_withoutTryingItAsAnId() {
        fake.on("GET", "/api/automations/name/.*", call -> Reply.problem(404, "automation 'nope' not found", null));

        Result result = Cli.against(fake.url(), "automation", "inspect", "nope");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("error: automation 'nope' not found\n");
        assertThat(fake.calls()).hasSize(1);
    }

    @Test
    void inspect_refusesALimitBelowOne_exit2() {
        Result result = Cli.against(fake.url(), "automation", "inspect", "b-after-a", "--limit", "0");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("error: --limit must be 1 or more (got 0)\n");
        assertThat(fake.calls()).isEmpty();
    }

    // ---- pause, resume, delete

    @Test
    void pauseAndResume_patchEnabled_byTheIdOfTheNamedAutomation() {
        fake.on("GET", "/api/automations/name/nightly-report-after-load", call -> Reply.ok(stored()));
        fake.on("PATCH", "/api/automations/" + ID, call -> Reply.ok(stored().put("enabled", call.body().path("enabled").asBoolean())));

        Result paused = Cli.against(fake.url(), "automation", "pause", "nightly-report-after-load");
        Result resumed = Cli.against(fake.url(), "automation", "resume", "nightly-report-after-load", "-o", "json");

        assertThat(paused.exitCode()).as(paused.err()).isZero();
        assertThat(paused.out()).isEqualTo("Paused automation 'nightly-report-after-load'\n");
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(Json.tree(resumed.out()).path("enabled").asBoolean()).isTrue();
        assertThat(fake.calls("PATCH", "/api/automations/" + ID)).extracting(FakeApi.Call::body)
                .containsExactly(Json.tree("{\"enabled\": false}"), Json.tree("{\"enabled\": true}"));
    }

    @Test
    void delete_deletesByTheIdOfTheNamedAutomation() {
        fake.on("GET", "/api/automations/name/nightly-report-after-load", call -> Reply.ok(stored()));
        fake.on("DELETE", "/api/automations/" + ID, call -> Reply.noContent());

        Result result = Cli.against(fake.url(), "automation", "delete", "nightly-report-after-load");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).isEqualTo("Deleted automation 'nightly-report-after-load'\n");
        assertThat(fake.calls("DELETE", "/api/automations/" + ID)).hasSize(1);
    }
}
