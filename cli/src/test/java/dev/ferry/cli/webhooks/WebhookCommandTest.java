package dev.ferry.cli.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.output.Times;
import dev.ferry.cli.testing.Cli;
import dev.ferry.cli.testing.Cli.Result;
import dev.ferry.cli.testing.FakeApi;
import dev.ferry.cli.testing.FakeApi.Reply;
import dev.ferry.core.common.Json;
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

class WebhookCommandTest {
    private static final String ID = "7c1e2d3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f";
    private static final String SLUG = "q8ZkY1o3ZbZs0gD7x2mVbq1wQ7kC3nTf";
    private static final String SECRET = "it's-a-secret-to-everybody";
    private static final String TEMPLATE = """
            {"event": "github.{{ headers['x-github-event'] }}",
             "resource": {"ferry.resource.id": "github.repo.{{ body.repository.name }}"}}""";

    private final FakeApi fake = new FakeApi();

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        fake.close();
    }

    private static ObjectNode webhook(String name, String slug, String verify, boolean enabled) {
        ObjectNode w = Json.MAPPER.createObjectNode().put("id", ID).put("name", name).put("path", "/hooks/" + slug);
        w.set("template", Json.tree(TEMPLATE));
        w.set("verify", Json.tree(verify));
        w.put("enabled", enabled);
        w.putArray("retired");
        w.put("created", "2026-01-31T12:00:00Z").put("updated", "2026-01-31T12:00:00Z").put("revision", 1);
        return w;
    }

    private static ObjectNode github() {
        return webhook("github-push", SLUG, "{\"kind\": \"github\"}", true);
    }

    private String url() {
        return fake.url() + "/hooks/" + SLUG;
    }

    private Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    private static String local(String instant) {
        return Times.local(Instant.parse(instant), ZoneId.systemDefault());
    }

    private Result ferry(String... args) {
        return Cli.against(fake.url(), args);
    }

    // ---- create

    @Test
    void create_withSecretFile_sendsTheSecretAndTemplate_printsTheUrl_butNeverTheSecret() throws Exception {
        fake.on("POST", "/api/webhooks", call -> Reply.json(201, github()));

        Result result = ferry("webhook", "create", "github-push", "--verify", "github",
                "--template-file", write("t.json", TEMPLATE).toString(), "--secret-file", write("s", SECRET + "\n").toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode sent = fake.calls("POST", "/api/webhooks").get(0).body();
        assertThat(sent).isEqualTo(Json.tree("{\"name\": \"github-push\", \"template\": " + TEMPLATE
                + ", \"verify\": {\"kind\": \"github\", \"secret\": \"" + SECRET + "\"}}"));
        assertThat(result.out()).isEqualTo("Created webhook 'github-push' (verify github, ID " + ID + "). Its URL:\n\n"
                + "    " + url() + "\n\n"
                + "Requests must be signed with the secret from file " + dir.resolve("s") + ".\n");
        assertThat(result.out() + result.err()).doesNotContain(SECRET);
    }

    @Test
    void create_withSecretEnv_sendsWhatTheVariableHolds_andNeverPrintsIt() {
        // set for every test by the build: the CLI reads the process environment, tests never change it
        String value = System.getenv("FERRY_HOME");
        assumeTrue(value != null && !value.isBlank());
        fake.on("POST", "/api/webhooks", call -> Reply.json(201, github()));

        Result result = ferry("webhook", "create", "github-push", "--verify", "github", "--secret-env", "FERRY_HOME");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(fake.calls("POST", "/api/webhooks").get(0).body().at("/verify/secret").asText()).isEqualTo(value);
        assertThat(result.out()).contains(url()).endsWith("signed with the secret from environment variable FERRY_HOME.\n")
                .doesNotContain(value);
    }

    @Test
    void create_withoutASecret_printsTheOneTheServerMade_once_andOutputJsonAddsUrlAndSlug() {
        fake.on("POST", "/api/webhooks", call -> Reply.json(201, github().put("secret", "made-by-the-server-0123456789")));

        Result text = ferry("webhook", "create", "github-push", "--verify", "github", "--template", TEMPLATE);
        Result json = ferry("webhook", "create", "github-push", "--verify", "github", "-o", "json");

        assertThat(text.exitCode()).as(text.err()).isZero();
        assertThat(text.out()).endsWith("    " + url() + "\n\nSecret (made by the server):\n\n    made-by-the-server-0123456789\n\n"
                + "Store the secret now: this is the only time it is shown (ferry webhook rotate makes a new one).\n");
        assertThat(fake.calls("POST", "/api/webhooks").get(0).body().path("verify")).isEqualTo(Json.tree("{\"kind\": \"github\"}"));
        JsonNode printed = Json.tree(json.out());
        assertThat(printed.path("url").asText()).isEqualTo(url());
        assertThat(printed.path("slug").asText()).isEqualTo(SLUG);
        assertThat(printed.path("secret").asText()).isEqualTo("made-by-the-server-0123456789");
        assertThat(printed.path("id").asText()).isEqualTo(ID);
    }

    @Test
    void create_hmac_sendsEverySetting_underTheApisNames() throws Exception {
        fake.on("POST", "/api/webhooks", call -> Reply.json(201, webhook("acme", SLUG, "{\"kind\": \"hmac\"}", true)));

        Result result = ferry("webhook", "create", "acme", "--verify", "hmac", "--header", "X-Signature", "--algorithm", "sha512",
                "--prefix", "sig=", "--encoding", "base64", "--signed", "timestamp.body", "--timestamp-header", "X-Timestamp",
                "--window", "60", "--delivery-id-header", "X-Id", "--secret-file", write("s", SECRET).toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(fake.calls("POST", "/api/webhooks").get(0).body().path("verify")).isEqualTo(Json.tree("""
                {"kind": "hmac", "header": "X-Signature", "algorithm": "sha512", "prefix": "sig=", "encoding": "base64",
                 "signed": "timestamp.body", "timestamp_header": "X-Timestamp", "window_seconds": 60,
                 "delivery_id_header": "X-Id", "secret": "%s"}""".formatted(SECRET)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--verify github --algorithm sha512                  | error: --algorithm is for --verify hmac only; --verify github takes none of the hmac options",
            "--header X-Signature                                | error: --header is for --verify hmac only; --verify none takes none of the hmac options",
            "--verify hmac --algorithm sha1                      | error: --verify hmac needs --header: the header the signature comes in, e.g. X-Signature",
            "--verify github --secret-env FERRY_TEST_SURELY_UNSET | error: --secret-env FERRY_TEST_SURELY_UNSET: the environment variable is not set",
            "--verify github --secret-file no-such-secret-file   | error: --secret-file 'no-such-secret-file' does not exist",
            "--verify github --secret-env A --secret-file B      | error: give --secret-env or --secret-file, not both",
            "--template {\"event\": --verify github              | error: --template is not valid JSON",
            "--template {} --template-file t.json                | error: give --template or --template-file, not both",
    })
    void create_refusesBadUsage_exit2_namingTheOption_beforeSendingAnything(String args, String error) {
        List<String> command = new java.util.ArrayList<>(List.of("webhook", "create", "w"));
        command.addAll(List.of(args.strip().split(" ")));

        Result result = ferry(command.toArray(String[]::new));

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith(error).hasLineCount(1);
        assertThat(fake.calls()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"webhook create w --verify github", "webhook rotate w"})
    void aSecretOnTheCommandLine_isRefused_exit2_withoutPrintingItBack(String command) {
        for (List<String> secret : List.of(List.of("--secret", SECRET), List.of("--secret=" + SECRET))) {
            List<String> args = new java.util.ArrayList<>(List.of(command.split(" ")));
            args.addAll(secret);

            Result result = ferry(args.toArray(String[]::new));

            assertThat(result.exitCode()).isEqualTo(2);
            assertThat(result.err()).startsWith("error: 'ferry " + command.substring(0, command.indexOf(" w")) + "' takes no --secret: ")
                    .contains("give --secret-env VAR or --secret-file FILE").doesNotContain(SECRET).hasLineCount(1);
        }
        assertThat(fake.calls()).isEmpty();
    }

    @Test
    void create_showsTheServersRefusal_withItsField_exit2_andATakenName_exit1() {
        fake.on("POST", "/api/webhooks", call -> call.body().path("name").asText().equals("taken")
                ? Reply.problem(409, "a webhook named 'taken' exists; pick another name or change that one", "name")
                : Reply.problem(422, "must be 1 to 86400", "verify.window_seconds"));

        Result invalid = ferry("webhook", "create", "w", "--verify", "hmac", "--header", "X-Sig", "--window", "0");
        Result taken = ferry("webhook", "create", "taken");

        assertThat(invalid.exitCode()).isEqualTo(2);
        assertThat(invalid.err()).isEqualTo("error: must be 1 to 86400 (field 'verify.window_seconds')\n");
        assertThat(taken.exitCode()).isEqualTo(1);
        assertThat(taken.err()).isEqualTo("error: a webhook named 'taken' exists; pick another name or change that one\n");
    }

    // ---- ls, inspect

    @Test
    void ls_listsEveryPage_withTheUrls() {
        ObjectNode other = webhook("acme", "slug-2", "{\"kind\": \"hmac\", \"header\": \"X-Sig\"}", false).put("id", "id-2");
        fake.on("GET", "/api/webhooks", call -> call.query().contains("next=p2")
                ? Reply.ok(Json.MAPPER.createObjectNode().putNull("next").set("items", Json.MAPPER.createArrayNode().add(github())))
                : Reply.ok(Json.MAPPER.createObjectNode().put("next", "p2").set("items", Json.MAPPER.createArrayNode().add(other))));

        Result result = ferry("webhook", "ls");

        assertThat(result.exitCode()).as(result.err()).isZero();
        String row = "%-11s  %-6s  %-7s  %-" + url().length() + "s  %s";
        assertThat(result.out().lines().toList()).containsExactly("Webhooks",
                String.format(row, "Name", "Verify", "Enabled", "URL", "Id"),
                String.format(row, "acme", "hmac", "false", fake.url() + "/hooks/slug-2", "id-2"),
                String.format(row, "github-push", "github", "true", url(), ID));
    }

    @Test
    void ls_withNone_saysHowToCreateOne() {
        fake.on("GET", "/api/webhooks", call -> Reply.ok(Json.tree("{\"items\": [], \"next\": null}")));

        assertThat(ferry("webhook", "ls").out()).startsWith("No webhooks yet; create one with: ferry webhook create");
    }

    private static ObjectNode deliveries(int count) {
        ObjectNode answer = Json.MAPPER.createObjectNode();
        ArrayNode items = answer.putArray("items");
        items.add(Json.tree("{\"at\": \"2026-01-31T12:00:03Z\", \"status\": 401, \"outcome\": \"refused\", "
                + "\"detail\": \"X-Hub-Signature-256 does not match\"}"));
        items.add(Json.tree("{\"at\": \"2026-01-31T12:00:02Z\", \"status\": 202, \"outcome\": \"accepted\", "
                + "\"event_id\": \"ev-1\", \"delivery_id\": \"d-1\", \"slug\": \"retired\"}"));
        for (int i = 2; i < count; i++) {
            items.add(Json.tree("{\"at\": \"2026-01-31T12:00:01Z\", \"status\": 202, \"outcome\": \"duplicate\", \"event_id\": \"ev-1\"}"));
        }
        return answer;
    }

    @Test
    void inspect_showsTheWebhook_andItsDeliveries_refusedOnesInCapitals() {
        ObjectNode w = github();
        w.putArray("retired").add(Json.tree("{\"path\": \"/hooks/old-slug\", \"until\": \"2026-01-31T13:00:00Z\"}"));
        fake.on("GET", "/api/webhooks/name/github-push", call -> Reply.ok(w));
        fake.on("GET", "/api/webhooks/" + ID + "/deliveries", call -> Reply.ok(deliveries(2)));

        Result result = ferry("webhook", "inspect", "github-push");

        assertThat(result.exitCode()).as(result.err()).isZero();
        String t = local("2026-01-31T12:00:03Z");
        String row = "%-" + t.length() + "s  %-6s  %-8s  %-34s  %s";
        assertThat(result.out().lines().map(String::stripTrailing).toList()).containsExactly(
                "Webhook 'github-push' (" + ID + ")",
                "URL:         " + url(),
                "Verify:      github",
                "Enabled:     true",
                "Template:    {",
                "               \"event\": \"github.{{ headers['x-github-event'] }}\",",
                "               \"resource\": {",
                "                 \"ferry.resource.id\": \"github.repo.{{ body.repository.name }}\"",
                "               }",
                "             }",
                "Retired:     " + fake.url() + "/hooks/old-slug (and its secret) until " + local("2026-01-31T13:00:00Z"),
                "",
                "Deliveries (newest first)",
                String.format(row, "At", "Status", "Outcome", "Detail", "Event"),
                String.format(row, t, "401", "REFUSED", "X-Hub-Signature-256 does not match", "-"),
                String.format(row, local("2026-01-31T12:00:02Z"), "202", "accepted", "to a retired URL", "ev-1"),
                "1 refused: a signature (or API key) missing, stale or not made with the secret; Detail says which");
    }

    @Test
    void inspect_limitsTheDeliveries_andOutputJsonGivesWebhookAndDeliveries() {
        fake.on("GET", "/api/webhooks/name/github-push", call -> Reply.ok(github()));
        fake.on("GET", "/api/webhooks/" + ID + "/deliveries", call -> Reply.ok(deliveries(30)));

        Result text = ferry("webhook", "inspect", "github-push", "--limit", "2");
        Result json = ferry("webhook", "inspect", "github-push", "--limit", "3", "-o", "json");

        assertThat(text.exitCode()).as(text.err()).isZero();
        assertThat(text.out()).endsWith("Showing the newest 2 of 30 deliveries; show more with --limit 30\n");
        JsonNode doc = Json.tree(json.out());
        assertThat(doc.at("/webhook/url").asText()).isEqualTo(url());
        assertThat(doc.path("deliveries")).hasSize(3);
        assertThat(doc.at("/deliveries/0/outcome").asText()).isEqualTo("refused");
    }

    @Test
    void inspect_takesAnId_whenNoWebhookHasThatName_andANameNothingHas_saysSo() {
        fake.on("GET", "/api/webhooks/name/.*", call -> Reply.problem(404, "webhook '" + call.path().substring(19) + "' not found", null));
        fake.on("GET", "/api/webhooks/" + ID, call -> Reply.ok(github()));
        fake.on("GET", "/api/webhooks/" + ID + "/deliveries", call -> Reply.ok(Json.tree("{\"items\": []}")));

        Result byId = ferry("webhook", "inspect", ID);
        Result missing = ferry("webhook", "inspect", "nope");

        assertThat(byId.exitCode()).as(byId.err()).isZero();
        assertThat(byId.out()).startsWith("Webhook 'github-push'").endsWith("Deliveries: none yet (they are kept for 7 days)\n");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("error: webhook 'nope' not found\n");
    }

    // ---- rotate

    @Test
    void rotate_sendsTheGraceInSeconds_andPrintsTheNewUrl_theSecretOnce_andUntilWhenTheOldOneWorks() {
        fake.on("GET", "/api/webhooks/name/github-push", call -> Reply.ok(webhook("github-push", "old-slug", "{\"kind\": \"github\"}", true)));
        fake.on("POST", "/api/webhooks/" + ID + "/rotate", call -> {
            ObjectNode rotated = github().put("secret", "the-new-secret-0123456789");
            rotated.putArray("retired").add(Json.tree("{\"path\": \"/hooks/old-slug\", \"until\": \"2026-01-31T13:00:00Z\"}"));
            return Reply.ok(rotated);
        });

        Result result = ferry("webhook", "rotate", "github-push", "--grace", "1h");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(fake.calls("POST", "/api/webhooks/" + ID + "/rotate").get(0).body()).isEqualTo(Json.tree("{\"grace_seconds\": 3600}"));
        assertThat(result.out()).isEqualTo("Rotated webhook 'github-push'. Its new URL:\n\n    " + url() + "\n\n"
                + "Secret (made by the server):\n\n    the-new-secret-0123456789\n\n"
                + "Store the secret now: this is the only time it is shown (ferry webhook rotate makes a new one).\n"
                + "The old URL (" + fake.url() + "/hooks/old-slug) and secret keep working until "
                + local("2026-01-31T13:00:00Z") + " (1h 00m): move the sender over before then.\n");
    }

    @Test
    void rotate_withASecretFile_andNoGrace_sendsTheSecret_andSaysTheOldUrlStopped() throws Exception {
        fake.on("GET", "/api/webhooks/name/github-push", call -> Reply.ok(webhook("github-push", "old-slug", "{\"kind\": \"github\"}", true)));
        fake.on("POST", "/api/webhooks/" + ID + "/rotate", call -> Reply.ok(github()));

        Result result = ferry("webhook", "rotate", "github-push", "--secret-file", write("s", SECRET + "\n").toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(fake.calls("POST", "/api/webhooks/" + ID + "/rotate").get(0).body())
                .isEqualTo(Json.tree("{\"grace_seconds\": 0, \"secret\": \"" + SECRET + "\"}"));
        assertThat(result.out()).doesNotContain(SECRET)
                .endsWith("The old URL (" + fake.url() + "/hooks/old-slug) and secret stopped working now.\n");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "soon | error: --grace 'soon' is not a duration; use a number and a unit (s, m, h or d), e.g. 30s, 10m, 2h, 1d or 1h30m",
            "31d  | error: --grace '31d' is longer than 30d, the longest an old URL and secret keep working",
    })
    void rotate_refusesABadGrace_exit2(String grace, String error) {
        Result result = ferry("webhook", "rotate", "github-push", "--grace", grace);

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo(error + "\n");
        assertThat(fake.calls()).isEmpty();
    }

    // ---- disable, enable, delete

    @Test
    void disableAndEnable_patchEnabled_andDelete_deletesByTheId() {
        fake.on("GET", "/api/webhooks/name/github-push", call -> Reply.ok(github()));
        fake.on("PATCH", "/api/webhooks/" + ID, call -> Reply.ok(github().put("enabled", call.body().path("enabled").asBoolean())));
        fake.on("DELETE", "/api/webhooks/" + ID, call -> Reply.noContent());

        Result disabled = ferry("webhook", "disable", "github-push");
        Result enabled = ferry("webhook", "enable", "github-push");
        Result deleted = ferry("webhook", "delete", "github-push");

        assertThat(disabled.out()).isEqualTo("Disabled webhook 'github-push': its URLs answer 404 until enabled\n");
        assertThat(enabled.out()).isEqualTo("Enabled webhook 'github-push' at " + url() + "\n");
        assertThat(fake.calls("PATCH", "/api/webhooks/" + ID)).extracting(FakeApi.Call::body)
                .containsExactly(Json.tree("{\"enabled\": false}"), Json.tree("{\"enabled\": true}"));
        assertThat(deleted.exitCode()).as(deleted.err()).isZero();
        assertThat(deleted.out()).isEqualTo("Deleted webhook 'github-push'\n");
        assertThat(fake.calls("DELETE", "/api/webhooks/" + ID)).hasSize(1);
    }

    // ---- test

    @Test
    void test_sendsTheSample_andPrintsTheEvent() {
        fake.on("GET", "/api/webhooks/name/github-push", call -> Reply.ok(github()));
        fake.on("POST", "/api/webhooks/" + ID + "/test", call -> Reply.ok(Json.tree(
                "{\"event\": {\"event\": \"github.push\", \"resource\": {\"ferry.resource.id\": \"github.repo.ferry\"}}}")));

        Result result = ferry("webhook", "test", "github-push", "--header", "X-GitHub-Event: push", "--query", "ref=main",
                "--body", "{\"repository\": {\"name\": \"ferry\"}}");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(fake.calls("POST", "/api/webhooks/" + ID + "/test").get(0).body()).isEqualTo(Json.tree("""
                {"headers": {"X-GitHub-Event": "push"}, "query": {"ref": "main"},
                 "body": "{\\"repository\\": {\\"name\\": \\"ferry\\"}}"}"""));
        assertThat(result.out()).isEqualTo("""
                {
                  "event": "github.push",
                  "resource": {
                    "ferry.resource.id": "github.repo.ferry"
                  }
                }
                """);
    }

    @Test
    void test_showsWhyTheTemplateCannotRender_withItsField_exit2() {
        fake.on("GET", "/api/webhooks/name/github-push", call -> Reply.ok(github()));
        fake.on("POST", "/api/webhooks/" + ID + "/test", call -> Reply.problem(422, "could not render: body.repository is null",
                "template"));

        Result result = ferry("webhook", "test", "github-push", "--body", "{}");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("error: could not render: body.repository is null (field 'template')\n");
    }

    @Test
    void test_refusesAHeaderWithoutAName_exit2() {
        Result result = ferry("webhook", "test", "github-push", "--header", "push");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("error: --header 'push' must look like X-GitHub-Event:push\n");
        assertThat(fake.calls()).isEmpty();
    }
}
