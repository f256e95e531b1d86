package dev.ferry.cli.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.testing.FakeApi;
import dev.ferry.cli.testing.FakeApi.Reply;
import dev.ferry.core.common.Json;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ApiClientTest {
    private final FakeApi fake = new FakeApi();

    @AfterEach
    void stop() {
        fake.close();
    }

    @Test
    void problemJson_becomesApiProblem_withDetailAndField() {
        fake.on("POST", "/api/work_pools", call -> Reply.problem(422, "'name' must not be empty", "name"));
        ApiClient client = new ApiClient(fake.url(), null, Retry.never());

        assertThatThrownBy(() -> client.post("/api/work_pools", Json.MAPPER.createObjectNode()))
                .isInstanceOfSatisfying(ApiProblem.class, p -> {
                    assertThat(p.status()).isEqualTo(422);
                    assertThat(p.field()).isEqualTo("name");
                    assertThat(p.describe()).isEqualTo("'name' must not be empty");
                });
    }

    @Test
    void describe_namesTheField_whenTheDetailDoesNot() {
        ApiProblem problem = new ApiProblem(400, "wrong type; expected an integer", "concurrency_limit", null);

        assertThat(problem.describe()).isEqualTo("wrong type; expected an integer (field 'concurrency_limit')");
    }

    @Test
    void nonJsonError_isStillReadable() {
        fake.on("GET", "/api/work_pools", call -> Reply.text(502, "Bad Gateway"));
        ApiClient client = new ApiClient(fake.url(), null, Retry.never());

        assertThatThrownBy(() -> client.get("/api/work_pools"))
                .isInstanceOf(ApiProblem.class)
                .hasMessage("the Ferry API answered HTTP 502: Bad Gateway");
    }

    @Test
    void noContent_isAMissingNode() {
        fake.on("DELETE", "/api/work_pools/p", call -> Reply.noContent());
        ApiResponse response = new ApiClient(fake.url(), null, Retry.never()).delete("/api/work_pools/p");

        assertThat(response.status()).isEqualTo(204);
        assertThat(response.body().isMissingNode()).isTrue();
    }

    @Test
    void apiKey_isSentAsBearerToken_andApiSuffixOfTheUrlIsIgnored() {
        fake.on("GET", "/api/health", call -> Reply.ok(Json.MAPPER.createObjectNode().put("status", "ok")));
        ApiClient client = new ApiClient(URI.create(fake.url() + "/api/"), "s3cret", Retry.never());

        JsonNode body = client.get("/api/health").body();

        assertThat(body.path("status").asText()).isEqualTo("ok");
        assertThat(fake.calls().get(0).authorization()).isEqualTo("Bearer s3cret");
        assertThat(client.baseUrl()).isEqualTo(fake.url());
    }

    @Test
    void connectionRefused_isApiUnreachable() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ApiClient client = new ApiClient(URI.create("http://127.0.0.1:" + port), null, Retry.never());

        assertThatThrownBy(() -> client.get("/api/health"))
                .isInstanceOf(ApiUnreachable.class)
                .hasMessage("cannot reach the Ferry API at http://127.0.0.1:" + port + " (connection refused)");
    }

    @Test
    void retryingClient_waitsOutServerErrors_andAnnouncesTheOutageOnce() {
        AtomicInteger attempts = new AtomicInteger();
        fake.on("GET", "/api/health", call -> attempts.incrementAndGet() <= 3
                ? Reply.problem(503, "starting up", null)
                : Reply.ok(Json.MAPPER.createObjectNode().put("status", "ok")));
        List<String> notices = new CopyOnWriteArrayList<>();
        ApiClient client = new ApiClient(fake.url(), null, Retry.untilBack(notices::add));

        JsonNode body = client.get("/api/health").body();

        assertThat(body.path("status").asText()).isEqualTo("ok");
        assertThat(attempts).hasValue(4);
        assertThat(notices).hasSize(2);
        assertThat(notices.get(0)).contains("answered 503").endsWith("retrying until it is back");
        assertThat(notices.get(1)).contains("reachable again");
    }

    @Test
    void retryingClient_doesNotRetryClientErrors() {
        fake.on("POST", "/api/flow_runs/r/set_state", call -> Reply.problem(409, "run is already COMPLETED", null));
        ApiClient client = new ApiClient(fake.url(), null, Retry.untilBack(notice -> {}));

        assertThatThrownBy(() -> client.post("/api/flow_runs/r/set_state", Json.MAPPER.createObjectNode()))
                .isInstanceOf(ApiProblem.class);
        assertThat(fake.calls()).hasSize(1);
    }

    @Test
    void backoff_doublesFromHalfASecond_upToThirtySeconds() {
        for (int attempt = 0; attempt < 20; attempt++) {
            long expected = Math.min(30_000, 500L << attempt);
            assertThat(Retry.delay(attempt).toMillis()).isBetween(expected / 2, expected);
        }
    }

    @Test
    void whenOneCallGetsThrough_theCallsWaitingOutTheOutageRetryAtOnce() throws Exception {
        Retry retry = Retry.untilBack(notice -> {});
        retry.failed("down");
        Thread waiting = new Thread(() -> {
            try {
                retry.pause(10); // 15..30 s unless woken
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        waiting.start();

        retry.succeeded("http://127.0.0.1:4200");
        waiting.join(5_000);

        assertThat(waiting.isAlive()).isFalse();
    }

    @Test
    void segment_percentEncodesNames() {
        assertThat(ApiClient.segment("my pool")).isEqualTo("my%20pool");
        assertThat(ApiClient.segment("a+b?c")).isEqualTo("a%2Bb%3Fc");
    }
}
