package dev.ferry.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.testing.InMemoryAdapters;
import dev.ferry.core.testing.TestApi;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ActivityRoutesTest {
    private final TestApi api = InMemoryAdapters.api(null);

    @AfterEach
    void close() {
        api.close();
    }

    @Test
    void activity_countsTheRunsTheApiMade_byStateInTheBucketOfTheirExpectedStart() {
        // given: two runs now, one of them failed, and one set to start in 90 minutes
        api.pool("pool-a");
        String deployment = api.deployment("pool-a", null).get("id").asText();
        Instant now = api.clock.now();
        api.run(deployment, null);
        api.run(deployment, "{\"scheduled_start_time\": \"" + now.plus(Duration.ofMinutes(90)) + "\"}");
        String failing = api.claim("pool-a", "worker-1", 1).get(0).path("flow_run").path("id").asText();
        api.run(deployment, null);
        TestApi.ok(api.setState(failing, "RUNNING"));
        TestApi.ok(api.setState(failing, "FAILED"));
        Instant since = now.truncatedTo(ChronoUnit.HOURS);

        JsonNode body = TestApi.ok(api.get("/api/flow_runs/activity?since=" + since + "&until=" + since.plus(Duration.ofHours(3))
                + "&bucket_seconds=3600&work_pool_name=pool-a"));

        assertThat(body.path("bucket_seconds").asInt()).isEqualTo(3600);
        assertThat(body.path("buckets")).hasSize(3);
        assertThat(body.path("buckets").get(0).path("start").asText()).isEqualTo(since.toString());
        assertThat(body.path("counts").path("FAILED").asInt()).isEqualTo(1);
        assertThat(body.path("counts").path("SCHEDULED").asInt()).isEqualTo(2);
        assertThat(body.path("total").asInt()).isEqualTo(3);
        assertThat(body.path("failure_rate").asDouble()).isEqualTo(1.0);
        assertThat(body.path("truncated").asBoolean()).isFalse();
        int later = (int) Duration.between(since, now.plus(Duration.ofMinutes(90))).toHours();
        assertThat(body.path("buckets").get(later).path("counts").path("SCHEDULED").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(TestApi.ok(api.get("/api/flow_runs/activity?since=" + since + "&work_pool_name=other")).path("total").asInt())
                .isZero();
    }

    @Test
    void activity_withoutUntil_endsNow_inTwentyFourBuckets() {
        Instant now = api.clock.now();

        JsonNode body = TestApi.ok(api.get("/api/flow_runs/activity?since=" + now.minus(Duration.ofDays(1))));

        assertThat(body.path("bucket_seconds").asInt()).isBetween(3600, 3601);
        assertThat(body.path("buckets")).hasSize(24);
        assertThat(Instant.parse(body.path("until").asText())).isAfterOrEqualTo(now.truncatedTo(ChronoUnit.MILLIS));
        assertThat(body.path("failure_rate").isNull()).isTrue();
    }

    @ParameterizedTest
    @CsvSource({
            "'', since",
            "since=yesterday, since",
            "since=2026-03-01T12:00:00Z&until=2026-03-01T11:00:00Z, until",
            "since=2026-03-01T12:00:00Z&until=2026-03-01T12:00:00Z, until",
            "since=2026-03-01T12:00:00Z&until=soon, until",
            "since=2026-01-01T00:00:00Z&until=2026-03-01T00:00:00Z, since",
            "since=2026-03-01T12:00:00Z&until=2026-03-02T12:00:00Z&bucket_seconds=60, bucket_seconds",
            "since=2026-03-01T12:00:00Z&bucket_seconds=0, bucket_seconds",
            "since=2026-03-01T12:00:00Z&bucket_seconds=hourly, bucket_seconds",
            "since=2300-03-01T12:00:00Z, since",
    })
    void activity_refusesABadWindow_with422NamingTheParameter(String query, String field) {
        TestApi.Response r = api.get("/api/flow_runs/activity?" + query);

        assertThat(r.status()).isEqualTo(422);
        assertThat(r.headers()).containsEntry("Content-Type", ApiResponse.PROBLEM);
        assertThat(r.field()).isEqualTo(field);
    }
}
