package dev.ferry.cli.runs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.client.ApiClient;
import dev.ferry.cli.client.FerryApi;
import dev.ferry.cli.client.Retry;
import dev.ferry.cli.testing.FakeApi;
import dev.ferry.cli.testing.FakeApi.Reply;
import dev.ferry.core.common.Json;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WorkerNoticeTest {
    private final FakeApi fake = new FakeApi();
    private final WorkerNotice notice = new WorkerNotice(new FerryApi(new ApiClient(fake.url(), null, Retry.never())));
    private final Instant now = Instant.parse("2026-01-31T12:00:00Z");

    @AfterEach
    void stop() {
        fake.close();
    }

    private static ObjectNode run(String type, Instant due) {
        ObjectNode run = Json.MAPPER.createObjectNode().put("work_pool_name", "local").put("work_queue_name", "default")
                .put("scheduled_start_time", due.toString());
        run.putObject("state").put("type", type);
        return run;
    }

    @Test
    void ofTheDefaultQueue_namesThePoolOnly() {
        fake.on("GET", "/api/work_pools/local/queues/default", call -> Reply.ok(Json.tree("{\"status\": \"NOT_READY\"}")));

        assertThat(notice.check(run("SCHEDULED", now), now)).hasValue("No worker has polled work pool 'local' in the "
                + "last 60 s; the run waits until one does. Start one with: ferry worker start --pool local");
        assertThat(notice.check(run("SCHEDULED", now), now.plusSeconds(60))).as("once").isEmpty();
    }

    @Test
    void saysNothing_whileAWorkerPolls_beforeTheRunIsDue_orOnceItIsClaimed() {
        fake.on("GET", "/api/work_pools/local/queues/default", call -> Reply.ok(Json.tree("{\"status\": \"READY\"}")));

        assertThat(notice.check(run("SCHEDULED", now), now)).isEmpty();
        assertThat(notice.check(run("SCHEDULED", now.plusSeconds(600)), now.plusSeconds(10))).isEmpty();
        assertThat(notice.check(run("PENDING", now), now.plusSeconds(20))).isEmpty();
        assertThat(fake.calls("GET", ".*/queues/default")).as("one look at the queue per 5 s, none for a run not due or claimed")
                .hasSize(1);
    }
}
