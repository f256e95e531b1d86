package dev.ferry.core.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.Ferry;
import dev.ferry.core.Ports;
import dev.ferry.core.api.Router;
import dev.ferry.core.auth.ApiKeyService;
import dev.ferry.core.auth.BootstrapKey;
import dev.ferry.core.auth.InMemoryApiKeys;
import dev.ferry.core.common.Ids;
import dev.ferry.core.runs.RunEvents;
import dev.ferry.core.scheduler.ManualTimer;
import dev.ferry.core.testing.InMemoryAdapters;
import dev.ferry.core.testing.TestApi;
import dev.ferry.core.testing.TestClock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A run's state events: one per state entered, the same event for the same stored state, and none lost to a failed append. */
class RunEventsTest {

    @Test
    void theSameStoredRun_alwaysMakesTheSameEvent() {
        try (TestApi api = InMemoryAdapters.api(null)) {
            api.pool("p");
            String runId = api.run(api.deployment("p", null).path("id").asText(), null).path("id").asText();

            Event once = RunEvents.stateChanged(api.ferry.runs().get(runId));
            Event again = RunEvents.stateChanged(api.ferry.runs().get(runId));

            assertThat(again).isEqualTo(once);
            assertThat(once.event()).isEqualTo("ferry.flow-run.Scheduled");
            assertThat(once.occurred()).isEqualTo(api.ferry.runs().get(runId).state().timestamp());
        }
    }

    @Test
    void aStateWhoseEventFailedToStore_getsItWhenTheReportIsSentAgain() {
        TestClock clock = TestClock.ticking();
        InMemoryAdapters adapters = InMemoryAdapters.on(clock);
        AtomicBoolean failNext = new AtomicBoolean();
        EventStore flaky = new EventStore() {
            @Override
            public boolean append(Event event) {
                if (failNext.getAndSet(false)) throw new IllegalStateException("the event store is down");
                return adapters.events().append(event);
            }

            @Override
            public Scan scan(EventFilter filter, EventPosition after, int limit) {
                return adapters.events().scan(filter, after, limit);
            }

            @Override
            public void purge(Instant before) {
                adapters.events().purge(before);
            }
        };
        Ports base = adapters.ports(new ManualTimer());
        Ports ports = new Ports(base.pools(), base.deployments(), base.runs(), base.runLogs(), base.scheduleCursors(),
                base.taskDefinitions(), flaky, base.eventFeed(), base.triggers(), base.workQueues(), base.timer());
        ApiKeyService auth = new ApiKeyService(new InMemoryApiKeys(), BootstrapKey.ofKey(null), clock, Ids.RANDOM);
        Ferry ferry = Ferry.wire(ports, clock, Ids.RANDOM, auth.runTokens());
        try (TestApi api = new TestApi(ferry, new Router(ferry, clock, auth), clock, new ManualTimer(), auth, () -> {})) {
            api.pool("p");
            String runId = api.run(api.deployment("p", null).path("id").asText(), null).path("id").asText();
            api.claim("p", "w1", 1);
            String running = "{\"state\": {\"type\": \"RUNNING\"}, \"transition_id\": \"t-1\"}";

            failNext.set(true);
            TestApi.Response lost = api.post("/api/flow_runs/" + runId + "/set_state", running);
            TestApi.Response retried = api.post("/api/flow_runs/" + runId + "/set_state", running);

            assertThat(lost.status()).isEqualTo(500);
            assertThat(retried.status()).isEqualTo(200);
            JsonNode events = TestApi.ok(api.get("/api/events?event=ferry.flow-run.Running")).path("items");
            assertThat(events).hasSize(1);
            assertThat(api.ferry.runs().get(runId).stateHistory()).hasSize(3);
        }
    }
}
