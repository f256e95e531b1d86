package dev.ferry.core.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.Ferry;
import dev.ferry.core.Settings;
import dev.ferry.core.api.Router;
import dev.ferry.core.auth.ApiKeyService;
import dev.ferry.core.auth.BootstrapKey;
import dev.ferry.core.auth.InMemoryApiKeys;
import dev.ferry.core.common.Ids;
import dev.ferry.core.scheduler.ManualTimer;
import dev.ferry.core.testing.InMemoryAdapters;
import dev.ferry.core.testing.TestApi;
import dev.ferry.core.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A retention other than the default reaches every place that keeps to it: what is taken, what is listed, what is purged. */
class EventRetentionTest {
    private final TestClock clock = TestClock.fixed(Instant.parse("2026-06-10T12:00:00Z"));

    private TestApi api(int days) {
        InMemoryAdapters adapters = InMemoryAdapters.on(clock);
        ApiKeyService auth = new ApiKeyService(new InMemoryApiKeys(), BootstrapKey.ofKey(null), clock, Ids.RANDOM);
        Ferry ferry = Ferry.wire(adapters.ports(new ManualTimer()), clock, Ids.RANDOM, auth.runTokens(), null,
                new Settings(Duration.ofDays(days), Settings.DEFAULTS.maxFiringsPerMinute(), false));
        return new TestApi(ferry, new Router(ferry, clock, auth), clock, new ManualTimer(), auth, () -> {});
    }

    @Test
    void anEventOlderThanTheRetention_isRefused_namingItsDays() {
        try (TestApi api = api(2)) {
            TestApi.Response r = api.post("/api/events", "[{\"event\": \"acme.tick\", \"occurred\": \"2026-06-07T12:00:00Z\", "
                    + "\"resource\": {\"ferry.resource.id\": \"acme.clock\"}}]");

            assertThat(r.status()).isEqualTo(422);
            assertThat(r.field()).isEqualTo("[0].occurred");
            assertThat(r.body().path("detail").asText()).contains("(2 days)");
            assertThat(api.ferry.events().retention()).isEqualTo(Duration.ofDays(2));
        }
    }

    @Test
    void aLongerRetention_takesEventsTheDefaultWouldRefuse_andListsThem() {
        try (TestApi api = api(30)) {
            assertThat(api.post("/api/events", "[{\"id\": \"old\", \"event\": \"acme.tick\", \"occurred\": \"2026-05-20T12:00:00Z\", "
                    + "\"resource\": {\"ferry.resource.id\": \"acme.clock\"}}]").status()).isEqualTo(202);

            assertThat(TestApi.ok(api.get("/api/events?event=acme.tick")).path("items").get(0).path("id").asText()).isEqualTo("old");
        }
    }

    @Test
    void thePurge_dropsWhatIsPastTheRetention_andKeepsTheRest() {
        try (TestApi api = api(2)) {
            emit(api, "three-days-old");
            clock.advance(Duration.ofDays(2));
            emit(api, "one-day-old");
            clock.advance(Duration.ofDays(1));

            api.ferry.events().purge();

            assertThat(TestApi.ok(api.get("/api/events?event=acme.tick")).path("items")).extracting(e -> e.path("id").asText())
                    .containsExactly("one-day-old");
        }
    }

    private static void emit(TestApi api, String id) {
        assertThat(api.post("/api/events", "[{\"id\": \"" + id + "\", \"event\": \"acme.tick\", "
                + "\"resource\": {\"ferry.resource.id\": \"acme.clock\"}}]").status()).isEqualTo(202);
    }
}
