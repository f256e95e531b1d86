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
import dev.ferry.core.runs.FlowRun;
import dev.ferry.core.runs.RunEvents;
import dev.ferry.core.runs.RunWrite;
import dev.ferry.core.runs.SlotChange;
import dev.ferry.core.runs.State;
import dev.ferry.core.runs.StateType;
import dev.ferry.core.scheduler.ManualTimer;
import dev.ferry.core.testing.InMemoryAdapters;
import dev.ferry.core.testing.TestApi;
import dev.ferry.core.testing.TestClock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A run's state events: one per state entered, the same event for the same stored state, written with the state. */
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
    void aStateChange_keepsItsEvent_whenAnEventAppendAfterTheWriteWouldFail() {
        // given an event store whose appends of run events fail: a run's event published after the
        // run's write (a crash between the two) would be lost
        TestClock clock = TestClock.ticking();
        InMemoryAdapters adapters = InMemoryAdapters.on(clock);
        AtomicInteger appends = new AtomicInteger();
        try (TestApi api = wiredWith(adapters, clock, failingAppends(adapters, appends))) {
            api.pool("p");
            String runId = api.run(api.deployment("p", null).path("id").asText(), null).path("id").asText();
            api.claim("p", "w1", 1);

            // when
            TestApi.Response running = api.setState(runId, "RUNNING");

            // then the state and its event were one write
            assertThat(running.status()).isEqualTo(200);
            assertThat(TestApi.ok(api.get("/api/events?event=ferry.flow-run.Running")).path("items")).hasSize(1);
            assertThat(TestApi.ok(api.get("/api/events?event=ferry.flow-run.Scheduled")).path("items")).hasSize(1);
            assertThat(TestApi.ok(api.get("/api/events?event=ferry.flow-run.Pending")).path("items")).hasSize(1);
            assertThat(appends).as("no run event took a separate append").hasValue(0);
        }
    }

    @Test
    void aRunsEvents_writtenWithTheRun_wakeWhoWaitsForEvents() {
        try (TestApi api = InMemoryAdapters.api(null)) {
            api.pool("p");
            String deploymentId = api.deployment("p", null).path("id").asText();
            long beforeCreate = api.ferry.events().stored();
            String runId = api.run(deploymentId, null).path("id").asText();
            long created = api.ferry.events().stored();
            api.claim("p", "w1", 1);
            long beforeRunning = api.ferry.events().stored();

            api.setState(runId, "RUNNING");

            // the in-process automation engine sleeps until this moves (or a second passes)
            assertThat(created).as("the Scheduled event").isEqualTo(beforeCreate + 1);
            assertThat(api.ferry.events().stored()).as("the Running event").isEqualTo(beforeRunning + 1);
        }
    }

    @Test
    void aStateStoredWithoutItsEvent_getsItWhenTheReportIsSentAgain() {
        TestClock clock = TestClock.ticking();
        InMemoryAdapters adapters = InMemoryAdapters.on(clock);
        try (TestApi api = wiredWith(adapters, clock, adapters.events())) {
            api.pool("p");
            String runId = api.run(api.deployment("p", null).path("id").asText(), null).path("id").asText();
            api.claim("p", "w1", 1);
            // a state written without its event, as a write before events went with their runs may have left it
            FlowRun pending = api.ferry.runs().get(runId);
            Instant now = clock.now();
            FlowRun running = pending.entering(State.of(StateType.RUNNING, null, null, now, "t-1"), now);
            assertThat(adapters.runs().writeRun(running, pending.version(), SlotChange.NONE)).isInstanceOf(RunWrite.Applied.class);
            assertThat(TestApi.ok(api.get("/api/events?event=ferry.flow-run.Running")).path("items")).isEmpty();

            TestApi.Response retried = api.post("/api/flow_runs/" + runId + "/set_state",
                    "{\"state\": {\"type\": \"RUNNING\"}, \"transition_id\": \"t-1\"}");
            TestApi.Response again = api.post("/api/flow_runs/" + runId + "/set_state",
                    "{\"state\": {\"type\": \"RUNNING\"}, \"transition_id\": \"t-1\"}");

            assertThat(retried.status()).isEqualTo(200);
            assertThat(again.status()).isEqualTo(200);
            JsonNode events = TestApi.ok(api.get("/api/events?event=ferry.flow-run.Running")).path("items");
            assertThat(events).as("published once, dropped by its id the second time").hasSize(1);
            assertThat(api.ferry.runs().get(runId).stateHistory()).hasSize(3);
        }
    }

    /** An event store that counts the appends of runs' events and refuses them (others it stores). */
    private static EventStore failingAppends(InMemoryAdapters adapters, AtomicInteger appends) {
        return new EventStore() {
            @Override
            public boolean append(Event event) {
                if (!event.event().startsWith(RunEvents.PREFIX)) return adapters.events().append(event);
                appends.incrementAndGet();
                throw new IllegalStateException("the event store is down");
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
    }

    private static TestApi wiredWith(InMemoryAdapters adapters, TestClock clock, EventStore events) {
        Ports base = adapters.ports(new ManualTimer());
        Ports ports = new Ports(base.pools(), base.deployments(), base.runs(), base.runLogs(), base.scheduleCursors(),
                base.taskDefinitions(), events, base.eventFeed(), base.triggers(), base.workQueues(), base.timer());
        ApiKeyService auth = new ApiKeyService(new InMemoryApiKeys(), BootstrapKey.ofKey(null), clock, Ids.RANDOM);
        Ferry ferry = Ferry.wire(ports, clock, Ids.RANDOM, auth.runTokens());
        return new TestApi(ferry, new Router(ferry, clock, auth), clock, new ManualTimer(), auth, () -> {});
    }
}
