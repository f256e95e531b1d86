package dev.ferry.cli.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.testing.Cli;
import dev.ferry.cli.testing.Cli.Result;
import dev.ferry.cli.testing.RouterServer;
import dev.ferry.core.common.Json;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The event commands against the real API: core's router over in-memory adapters. */
class EventCommandApiTest {
    private final RouterServer server = new RouterServer();

    @AfterEach
    void stop() {
        server.close();
    }

    private Result ferry(String... args) {
        return Cli.against(server.url(), args);
    }

    @Test
    void emit_thenLs_showsTheEvent_andAnIdSentTwiceIsStoredOnce() {
        Result first = ferry("event", "emit", "acme.table.refreshed", "--resource-id", "acme.table.orders",
                "--resource-name", "orders", "--related", "id=acme.team.data,role=team", "--payload", "{\"rows\": 3}",
                "--id", "ev-1");
        Result again = ferry("event", "emit", "acme.table.refreshed", "--resource-id", "acme.table.orders", "--id", "ev-1");

        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out()).isEqualTo("Emitted event 'acme.table.refreshed': ev-1\n");
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.out()).contains("Event ev-1 was stored before");

        Result table = ferry("event", "ls", "--event", "acme.*");
        assertThat(table.exitCode()).as(table.err()).isZero();
        assertThat(table.out().lines().skip(2).toList()).singleElement().asString()
                .contains("acme.table.refreshed").contains("orders").endsWith("ev-1");

        JsonNode listed = Json.tree(ferry("event", "ls", "--related", "acme.team.*", "-o", "json").out());
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).path("payload").path("rows").asInt()).isEqualTo(3);
        assertThat(listed.get(0).path("related").get(0).path("ferry.resource.role").asText()).isEqualTo("team");
    }

    @Test
    void emit_ofAFerryName_isRefusedByTheServer_exit2() {
        Result result = ferry("event", "emit", "ferry.flow-run.Completed", "--resource-id", "ferry.flow-run.x");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("error: event names starting with 'ferry.' are Ferry's own")
                .contains("[0].event").hasLineCount(1);
    }

    @Test
    void ls_showsFerrysOwnFlowRunEvents_byTheRunsName() {
        server.api.pool("my-pool");
        String deployment = server.api.deployment("my-pool", null).path("id").asText();
        JsonNode run = server.api.run(deployment, null);

        Result result = ferry("event", "ls", "--event", "ferry.flow-run.*", "-o", "json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode events = Json.tree(result.out());
        assertThat(events).isNotEmpty();
        assertThat(events.get(0).path("resource").path("ferry.resource.name").asText()).isEqualTo(run.path("name").asText());
        assertThat(ferry("event", "ls", "--event", "ferry.flow-run.*").out()).contains(run.path("name").asText());
    }

    @Test
    @Timeout(30)
    void stream_printsWhatHappenedSince_oldestFirst_thenStopsAtCount() {
        Instant since = Instant.now().minusSeconds(60);
        for (int i = 1; i <= 3; i++) {
            assertThat(ferry("event", "emit", "acme.tick", "--resource-id", "acme.clock", "--id", "tick-" + i,
                    "--occurred", since.plusSeconds(i).toString()).exitCode()).isZero();
        }

        Result result = ferry("event", "stream", "--event", "acme.tick", "--since", since.toString(), "--count", "3",
                "-o", "json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        List<String> ids = result.out().lines().map(line -> Json.tree(line).path("id").asText()).toList();
        assertThat(ids).containsExactly("tick-1", "tick-2", "tick-3");
    }

    @Test
    @Timeout(30)
    void stream_tailsAnEventEmittedWhileItRuns() throws Exception {
        // It occurs a little ahead, so the stream (which starts now) shows it whichever of the two comes first.
        String occurred = Instant.now().plusSeconds(5).toString();
        Thread emitter = new Thread(() -> ferry("event", "emit", "acme.late", "--resource-id", "acme.x", "--id", "late-1",
                "--occurred", occurred));
        emitter.start();

        Result result = ferry("event", "stream", "--event", "acme.late", "--count", "1", "-o", "json");
        emitter.join();

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(Json.tree(result.out()).path("id").asText()).isEqualTo("late-1");
    }
}
