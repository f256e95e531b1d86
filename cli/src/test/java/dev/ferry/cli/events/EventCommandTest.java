package dev.ferry.cli.events;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventCommandTest {
    private final FakeApi fake = new FakeApi();

    @AfterEach
    void stop() {
        fake.close();
    }

    private static ObjectNode event(String id, String occurred, String name, String resourceId, String resourceName) {
        ObjectNode e = Json.MAPPER.createObjectNode().put("id", id).put("occurred", occurred).put("event", name);
        ObjectNode resource = e.putObject("resource").put("ferry.resource.id", resourceId);
        if (resourceName != null) resource.put("ferry.resource.name", resourceName);
        e.putArray("related");
        e.putObject("payload");
        e.put("received", occurred);
        return e;
    }

    private static ObjectNode page(String next, ObjectNode... events) {
        ObjectNode page = Json.MAPPER.createObjectNode();
        ArrayNode items = page.putArray("items");
        for (ObjectNode e : events) items.add(e);
        if (next == null) page.putNull("next");
        else page.put("next", next);
        return page;
    }

    private static String param(FakeApi.Call call, String name) {
        for (String pair : call.query().split("&")) {
            String[] kv = pair.split("=", 2);
            if (kv[0].equals(name)) return java.net.URLDecoder.decode(kv[1], java.nio.charset.StandardCharsets.UTF_8);
        }
        return null;
    }

    private static List<String> params(FakeApi.Call call, String name) {
        return java.util.Arrays.stream(call.query().split("&")).map(pair -> pair.split("=", 2))
                .filter(kv -> kv[0].equals(name))
                .map(kv -> java.net.URLDecoder.decode(kv[1], java.nio.charset.StandardCharsets.UTF_8)).toList();
    }

    // ---- emit

    @Test
    void emit_sendsOneEventWithItsResourceRelatedAndPayload_andPrintsItsId() {
        fake.on("POST", "/api/events", call -> Reply.json(202, Json.tree("{\"accepted\": [\"ev-1\"], \"duplicates\": []}")));

        Result result = Cli.against(fake.url(), "event", "emit", "acme.table.refreshed",
                "--resource-id", "acme.table.orders", "--resource-name", "orders", "--label", "acme.env=prod",
                "--related", "id=acme.team.data,role=team,name=Data", "--related", "id=acme.db.main,role=database",
                "--payload", "{\"rows\": 1200}", "--id", "ev-1", "--occurred", "2026-01-31T13:00:00+01:00");

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode sent = fake.calls("POST", "/api/events").get(0).body();
        assertThat(sent).isEqualTo(Json.tree("""
                [{"id": "ev-1", "occurred": "2026-01-31T12:00:00Z", "event": "acme.table.refreshed",
                  "resource": {"ferry.resource.id": "acme.table.orders", "ferry.resource.name": "orders",
                               "acme.env": "prod"},
                  "related": [{"ferry.resource.id": "acme.team.data", "ferry.resource.role": "team",
                               "ferry.resource.name": "Data"},
                              {"ferry.resource.id": "acme.db.main", "ferry.resource.role": "database"}],
                  "payload": {"rows": 1200}}]"""));
        assertThat(result.out()).isEqualTo("Emitted event 'acme.table.refreshed': ev-1\n");
    }

    @Test
    void emit_leavesOutWhatWasNotGiven_andTakesThePayloadFromAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("payload.json");
        Files.writeString(file, "{\"ok\": true}");
        fake.on("POST", "/api/events", call -> Reply.json(202, Json.tree("{\"accepted\": [\"new-id\"], \"duplicates\": []}")));

        Result result = Cli.against(fake.url(), "event", "emit", "acme.ping", "--resource-id", "acme.host.a",
                "--payload-file", file.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(fake.calls("POST", "/api/events").get(0).body()).isEqualTo(Json.tree(
                "[{\"event\": \"acme.ping\", \"resource\": {\"ferry.resource.id\": \"acme.host.a\"}, \"payload\": {\"ok\": true}}]"));
        assertThat(result.out()).isEqualTo("Emitted event 'acme.ping': new-id\n");
    }

    @Test
    void emit_saysWhenTheEventWasStoredBefore() {
        fake.on("POST", "/api/events", call -> Reply.json(202, Json.tree("{\"accepted\": [], \"duplicates\": [\"ev-1\"]}")));

        Result result = Cli.against(fake.url(), "event", "emit", "acme.ping", "--resource-id", "acme.host.a", "--id", "ev-1");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo("Event ev-1 was stored before; not stored again (a duplicate)\n");
    }

    @Test
    void emit_withOutputJson_printsTheServersAnswer() {
        fake.on("POST", "/api/events", call -> Reply.json(202, Json.tree("{\"accepted\": [\"ev-1\"], \"duplicates\": []}")));

        Result result = Cli.against(fake.url(), "event", "emit", "acme.ping", "--resource-id", "acme.host.a", "-o", "json");

        assertThat(result.exitCode()).isZero();
        assertThat(Json.tree(result.out())).isEqualTo(Json.tree("{\"accepted\": [\"ev-1\"], \"duplicates\": []}"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--payload|{rows: 1|--payload is not valid JSON",
            "--payload|[1, 2]|--payload must be a JSON object",
            "--related|id=acme.team.data|--related 'id=acme.team.data' needs both id= and role=",
            "--related|acme.team.data|--related 'acme.team.data' must look like id=ID,role=ROLE[,name=NAME]",
            "--related|id=a,role=team,colour=red|--related 'id=a,role=team,colour=red' has an unknown key 'colour'",
            "--label|acme.env|--label 'acme.env' must look like key=value",
            "--label|ferry.resource.id=x|give it with --resource-id instead",
            "--occurred|yesterday|--occurred 'yesterday' is not a date and time",
    })
    void emit_refusesBadInput_exit2_namingTheOption_andSendsNothing(String option, String value, String message) {
        Result result = Cli.against(fake.url(), "event", "emit", "acme.ping", "--resource-id", "acme.host.a", option, value);

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("error: ").contains(message).doesNotContain("Exception").hasLineCount(1);
        assertThat(fake.calls()).isEmpty();
    }

    @Test
    void emit_refusesBothPayloadOptions(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("payload.json");
        Files.writeString(file, "{}");

        Result result = Cli.against(fake.url(), "event", "emit", "acme.ping", "--resource-id", "acme.host.a",
                "--payload", "{}", "--payload-file", file.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("error: give --payload or --payload-file, not both\n");
        assertThat(fake.calls()).isEmpty();
    }

    @Test
    void emit_refusesAMissingPayloadFile(@TempDir Path dir) {
        Result result = Cli.against(fake.url(), "event", "emit", "acme.ping", "--resource-id", "acme.host.a",
                "--payload-file", dir.resolve("nope.json").toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--payload-file '").contains("nope.json' does not exist");
    }

    @Test
    void emit_withoutResourceId_isAUsageError() {
        Result result = Cli.against(fake.url(), "event", "emit", "acme.ping");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--resource-id").contains("see 'ferry event emit --help'");
    }

    @Test
    void emit_showsAServerProblemAsOtherApiProblems_exit2() {
        fake.on("POST", "/api/events", call -> Reply.problem(422, "event names starting with 'ferry.' are Ferry's own; "
                + "name yours after your system, like 'acme.table.refreshed'", "[0].event"));

        Result result = Cli.against(fake.url(), "event", "emit", "ferry.flow-run.Completed", "--resource-id", "x");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("error: event names starting with 'ferry.' are Ferry's own; name yours after "
                + "your system, like 'acme.table.refreshed' (field '[0].event')\n");
    }

    // ---- ls

    @Test
    void ls_printsATable_withTheResourceNameElseItsId() {
        fake.on("GET", "/api/events", call -> Reply.ok(page(null,
                event("ev-2", "2026-01-31T12:00:05Z", "ferry.flow-run.Completed", "ferry.flow-run.r1", "crimson-fox"),
                event("ev-1", "2026-01-31T12:00:00Z", "acme.table.refreshed", "acme.table.orders", null))));

        Result result = Cli.against(fake.url(), "event", "ls");

        assertThat(result.exitCode()).as(result.err()).isZero();
        ZoneId zone = ZoneId.systemDefault();
        String t2 = Times.local(Instant.parse("2026-01-31T12:00:05Z"), zone);
        String t1 = Times.local(Instant.parse("2026-01-31T12:00:00Z"), zone);
        String row = "%-" + t1.length() + "s  %-24s  %-17s  %s";
        assertThat(result.out().lines().toList()).containsExactly(
                "Events",
                String.format(row, "Occurred", "Event", "Resource", "Id"),
                String.format(row, t2, "ferry.flow-run.Completed", "crimson-fox", "ev-2"),
                String.format(row, t1, "acme.table.refreshed", "acme.table.orders", "ev-1"));
    }

    @Test
    void ls_sendsTheFilters_andWithOutputJson_printsTheItems() {
        fake.on("GET", "/api/events", call -> Reply.ok(page(null,
                event("ev-1", "2026-01-31T12:00:00Z", "acme.table.refreshed", "acme.table.orders", null))));

        Result result = Cli.against(fake.url(), "event", "ls", "--event", "acme.*", "--event", "!acme.ping",
                "--resource", "acme.table.*", "--label", "acme.env=prod", "--related", "acme.team.*",
                "--since", "2026-01-31T00:00:00Z", "--until", "2026-02-01T00:00:00Z", "--limit", "5", "-o", "json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        FakeApi.Call call = fake.calls("GET", "/api/events").get(0);
        assertThat(params(call, "event")).containsExactly("acme.*", "!acme.ping");
        assertThat(param(call, "resource")).isEqualTo("acme.table.*");
        assertThat(param(call, "label")).isEqualTo("acme.env=prod");
        assertThat(param(call, "related")).isEqualTo("acme.team.*");
        assertThat(param(call, "since")).isEqualTo("2026-01-31T00:00:00Z");
        assertThat(param(call, "until")).isEqualTo("2026-02-01T00:00:00Z");
        assertThat(param(call, "limit")).isEqualTo("5");
        assertThat(param(call, "order")).isNull();
        JsonNode printed = Json.tree(result.out());
        assertThat(printed.isArray()).isTrue();
        assertThat(printed).hasSize(1);
        assertThat(printed.get(0).path("id").asText()).isEqualTo("ev-1");
    }

    @Test
    void ls_readsPagesUpToTheLimit_andSaysWhenThereIsMore() {
        fake.on("GET", "/api/events", call -> {
            String next = param(call, "next");
            if (next == null) return Reply.ok(page("c1", event("ev-3", "2026-01-31T12:00:03Z", "acme.a", "acme.x", null)));
            if (next.equals("c1")) return Reply.ok(page("c2")); // a page may be empty and still have a next
            return Reply.ok(page("c3", event("ev-2", "2026-01-31T12:00:02Z", "acme.a", "acme.x", null)));
        });

        Result result = Cli.against(fake.url(), "event", "ls", "--limit", "2");

        assertThat(result.exitCode()).as(result.err()).isZero();
        List<FakeApi.Call> calls = fake.calls("GET", "/api/events");
        assertThat(calls).hasSize(3);
        assertThat(calls.stream().map(c -> param(c, "limit")).toList()).containsExactly("2", "1", "1");
        assertThat(result.out()).contains("ev-3").contains("ev-2")
                .endsWith("More events match: show more with --limit 22, or older ones with --until\n");
    }

    @Test
    void ls_withNothingToShow_saysSo() {
        fake.on("GET", "/api/events", call -> Reply.ok(page(null)));

        Result result = Cli.against(fake.url(), "event", "ls", "--event", "acme.nothing");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo("No events match\n");
    }

    @Test
    void ls_refusesABadTimeOrLabel_exit2() {
        Result since = Cli.against(fake.url(), "event", "ls", "--since", "last tuesday");
        Result label = Cli.against(fake.url(), "event", "ls", "--label", "acme.env");

        assertThat(since.exitCode()).isEqualTo(2);
        assertThat(since.err()).startsWith("error: --since 'last tuesday' is not a date and time");
        assertThat(label.exitCode()).isEqualTo(2);
        assertThat(label.err()).startsWith("error: --label 'acme.env' must look like key=pattern");
        assertThat(fake.calls()).isEmpty();
    }

    // ---- stream

    @Test
    @Timeout(30)
    void stream_followsNextAcrossPages_oldestFirst_andStopsAfterCount() {
        AtomicInteger polls = new AtomicInteger();
        fake.on("GET", "/api/events", call -> {
            polls.incrementAndGet();
            String next = param(call, "next");
            if (next == null) return Reply.ok(page("c1",
                    event("ev-1", "2026-01-31T12:00:01Z", "acme.a", "acme.x", "x"),
                    event("ev-2", "2026-01-31T12:00:02Z", "acme.b", "acme.y", null)));
            if (next.equals("c1")) return Reply.ok(page("c2")); // a long poll that ended with nothing new
            return Reply.ok(page("c3",
                    event("ev-3", "2026-01-31T12:00:03Z", "acme.c", "acme.z", null),
                    event("ev-4", "2026-01-31T12:00:04Z", "acme.d", "acme.z", null)));
        });

        Result result = Cli.against(fake.url(), "event", "stream", "--event", "acme.*", "--since", "2026-01-31T12:00:00Z",
                "--count", "3", "-o", "json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out().lines().map(line -> Json.tree(line).path("id").asText()).toList())
                .containsExactly("ev-1", "ev-2", "ev-3");
        List<FakeApi.Call> calls = fake.calls("GET", "/api/events");
        assertThat(calls).hasSize(3);
        assertThat(calls.stream().map(c -> param(c, "next")).toList()).containsExactly(null, "c1", "c2");
        for (FakeApi.Call call : calls) {
            assertThat(param(call, "order")).isEqualTo("asc");
            assertThat(param(call, "wait")).isEqualTo("10");
            assertThat(param(call, "since")).isEqualTo("2026-01-31T12:00:00Z");
            assertThat(param(call, "event")).isEqualTo("acme.*");
            assertThat(param(call, "until")).isNull();
        }
        assertThat(calls.stream().map(c -> param(c, "limit")).toList()).containsExactly("3", "1", "1");
    }

    @Test
    @Timeout(30)
    void stream_printsOneLinePerEvent_andStartsNowByDefault() {
        fake.on("GET", "/api/events", call -> Reply.ok(page("c1",
                event("ev-1", "2026-01-31T12:00:01Z", "acme.a", "acme.x", "the-x"))));
        Instant before = Instant.now();

        Result result = Cli.against(fake.url(), "event", "stream", "--count", "1");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).isEqualTo(Times.local(Instant.parse("2026-01-31T12:00:01Z"), ZoneId.systemDefault())
                + "  acme.a  the-x\n");
        Instant since = Instant.parse(param(fake.calls().get(0), "since"));
        assertThat(since).isBetween(before.minusSeconds(1), Instant.now());
    }

    @Test
    @Timeout(30)
    void stream_waitsOutAServerErrorAfterTheFirstPage() {
        AtomicInteger polls = new AtomicInteger();
        fake.on("GET", "/api/events", call -> switch (polls.incrementAndGet()) {
            case 1 -> Reply.ok(page("c1", event("ev-1", "2026-01-31T12:00:01Z", "acme.a", "acme.x", null)));
            case 2 -> Reply.problem(503, "busy", null);
            default -> Reply.ok(page("c2", event("ev-2", "2026-01-31T12:00:02Z", "acme.a", "acme.x", null)));
        });

        Result result = Cli.against(fake.url(), "event", "stream", "--count", "2", "-o", "json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out().lines().map(line -> Json.tree(line).path("id").asText()).toList())
                .containsExactly("ev-1", "ev-2");
        assertThat(param(fake.calls().get(2), "next")).isEqualTo("c1");
        assertThat(result.err()).contains("answered 503").contains("reachable again");
    }

    @Test
    @Timeout(30)
    void stream_refusesACountBelowOne() {
        Result result = Cli.against(fake.url(), "event", "stream", "--count", "0");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("error: --count must be 1 or more (got 0)\n");
    }
}
