package dev.ferry.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.Settings;
import dev.ferry.core.common.Json;
import dev.ferry.core.events.Event;
import dev.ferry.core.pools.WorkQueue;
import dev.ferry.core.testing.TestApi;
import dev.ferry.core.testing.TestApi.Response;
import dev.ferry.core.testing.ThreadRace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** Automations through the router, on each adapter set: what fires, exactly once, and why it did not. */
public abstract class AutomationsContract {
    /** A fresh, empty API over the adapter set under test; {@code adminKey} null for an open server. */
    protected abstract TestApi newApi(String adminKey);

    /** {@link #newApi(String)} with other settings (a circuit breaker's limit a test can reach in a few events). */
    protected abstract TestApi newApi(String adminKey, Settings settings);

    /** Hands the events stored so far to the engine, as the server's follower (or the table's stream) would. */
    protected void deliver(TestApi api) throws InterruptedException {
        api.ferry.automations().follower().drain();
    }

    @Test
    void runBWhenACompletes_makesOneRunOfBPerCompletion_withTypedParametersFromTheEvent() throws Exception {
        try (TestApi api = newApi(null)) {
            api.pool("p");
            String a = deployment(api, "a");
            String b = deployment(api, "b");
            JsonNode automation = TestApi.ok(api.post("/api/automations", """
                    {"name": "b-after-a", "trigger": {"type": "event", "expect": ["ferry.flow-run.Completed"],
                      "match_related": {"ferry.resource.role": "deployment", "ferry.resource.id": "ferry.deployment.%s"}},
                     "actions": [{"type": "run-deployment", "deployment_id": "%s",
                       "parameters": {"upstream": "{{ event.resource['ferry.resource.name'] }}", "count": "{{ firing.count }}",
                                      "note": "after {{ flow_run.name }}"}}]}""".formatted(a, b)));
            String runA = complete(api, a);

            deliver(api);
            deliver(api);

            List<JsonNode> runsOfB = runs(api, b);
            assertThat(runsOfB).hasSize(1);
            JsonNode parameters = runsOfB.get(0).path("parameters");
            String nameOfA = api.get("/api/flow_runs/" + runA).body().path("name").asText();
            assertThat(parameters.path("upstream").asText()).isEqualTo(nameOfA);
            assertThat(parameters.path("count").isInt()).as("a template that is one expression keeps its type").isTrue();
            assertThat(parameters.path("note").asText()).isEqualTo("after " + nameOfA);

            JsonNode history = TestApi.ok(api.get("/api/automations/" + automation.path("id").asText() + "/history"));
            assertThat(outcomes(history)).contains("fired", "action_ok");
            JsonNode firing = history.path("firings").get(0);
            assertThat(firing.path("done").asBoolean()).isTrue();
            assertThat(firing.at("/actions/0/flow_run_id").asText()).isEqualTo(runsOfB.get(0).path("id").asText());
            assertThat(names(TestApi.ok(api.get("/api/events?event=ferry.automation.*")).path("items")))
                    .containsExactly("ferry.automation.action.executed", "ferry.automation.triggered");
        }
    }

    @Test
    void anEventDeliveredAgain_firesNothingMore() throws Exception {
        try (TestApi api = newApi(null)) {
            api.pool("p");
            String a = deployment(api, "a");
            String b = deployment(api, "b");
            runBAfterA(api, a, b);
            complete(api, a);
            deliver(api);
            Event completed = completedEvent(api);

            api.ferry.automations().engine().evaluate(completed);
            api.ferry.automations().engine().evaluate(completed);

            assertThat(runs(api, b)).hasSize(1);
            // its seen mark outlives every redelivery (8 days, past the event's retention), then goes; the firing it
            // made is kept longer, and an evaluation after that still makes nothing twice
            api.clock.advance(Duration.ofDays(9));
            api.ferry.janitor().sweep();
            api.ferry.automations().engine().evaluate(completed);
            assertThat(runs(api, b)).hasSize(1);
        }
    }

    @Test
    @ThreadRace
    void twoEnginesOnOneEvent_makeOneRun() throws Exception {
        try (TestApi api = newApi(null)) {
            api.pool("p");
            String a = deployment(api, "a");
            String b = deployment(api, "b");
            runBAfterA(api, a, b);
            complete(api, a);
            Event completed = completedEvent(api);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<?>> engines = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    engines.add(pool.submit(() -> {
                        go.await();
                        api.ferry.automations().engine().evaluate(completed);
                        return null;
                    }));
                }
                go.countDown();
                for (Future<?> engine : engines) engine.get();
            } finally {
                pool.shutdownNow();
            }

            assertThat(runs(api, b)).hasSize(1);
        }
    }

    @Test
    void aQueueNoWorkerPolls_becomesNotReady_andAnAutomationOnThatEventPausesItsPool() throws Exception {
        try (TestApi api = newApi(null)) {
            JsonNode pool = api.pool("p");
            TestApi.ok(api.post("/api/automations", """
                    {"name": "stop-when-unpolled", "trigger": {"expect": "ferry.work-queue.not-ready",
                      "match_related": {"ferry.resource.role": "work-pool", "ferry.resource.name": "p"}},
                     "actions": [{"type": "pause-work-pool"}]}"""));
            api.claim("p", "w1", 1); // a poll: the queue READY, the worker ONLINE, so the pool READY
            deliver(api);
            assertThat(TestApi.ok(api.get("/api/work_pools/p")).path("is_paused").asBoolean()).isFalse();

            api.clock.advance(WorkQueue.READINESS_WINDOW.plusSeconds(1)); // the worker is still ONLINE (90 s)
            api.ferry.janitor().sweep();
            api.ferry.janitor().sweep();
            deliver(api);

            assertThat(TestApi.ok(api.get("/api/work_pools/p")).path("is_paused").asBoolean()).isTrue();
            JsonNode queueEvents = TestApi.ok(api.get("/api/events?event=ferry.work-queue.*")).path("items");
            assertThat(names(queueEvents)).containsExactly("ferry.work-queue.not-ready", "ferry.work-queue.ready");
            JsonNode notReady = queueEvents.get(0);
            String queueId = TestApi.ok(api.get("/api/work_pools/p/queues/default")).path("id").asText();
            assertThat(notReady.at("/resource/ferry.resource.id").asText()).isEqualTo("ferry.work-queue." + queueId);
            assertThat(notReady.at("/resource/ferry.resource.name").asText()).isEqualTo("default");
            assertThat(related(notReady, "work-pool").path("ferry.resource.id").asText())
                    .isEqualTo("ferry.work-pool." + pool.path("id").asText());
            assertThat(names(TestApi.ok(api.get("/api/events?event=ferry.work-pool.*")).path("items")))
                    .containsExactly("ferry.work-pool.paused", "ferry.work-pool.ready");
            assertThat(names(TestApi.ok(api.get("/api/events?event=ferry.worker.*")).path("items"))).containsExactly("ferry.worker.online");

            api.clock.advance(Duration.ofSeconds(30));
            api.ferry.janitor().sweep();
            assertThat(names(TestApi.ok(api.get("/api/events?event=ferry.worker.*")).path("items")))
                    .as("the worker's heartbeats stopped").containsExactly("ferry.worker.offline", "ferry.worker.online");
            assertThat(names(TestApi.ok(api.get("/api/events?event=ferry.work-pool.*")).path("items")))
                    .as("its pool is paused: no not-ready").containsExactly("ferry.work-pool.paused", "ferry.work-pool.ready");
        }
    }

    @Test
    void aThresholdWithinAWindow_countsForEachKeyApart() throws Exception {
        try (TestApi api = newApi(null)) {
            api.pool("p");
            String d = deployment(api, "d");
            TestApi.ok(api.post("/api/automations", """
                    {"name": "flapping-host", "trigger": {"expect": "acme.host.down", "for_each": ["ferry.resource.id"],
                      "threshold": 2, "within": 60},
                     "actions": [{"type": "run-deployment", "deployment_id": "%s",
                       "parameters": {"host": "{{ event.resource['ferry.resource.id'] }}"}}]}""".formatted(d)));

            emit(api, "e-1", "acme.host.down", "acme.host.a");
            emit(api, "e-2", "acme.host.down", "acme.host.b");
            emit(api, "e-3", "acme.host.down", "acme.host.a");
            deliver(api);

            List<JsonNode> made = runs(api, d);
            assertThat(made).hasSize(1);
            assertThat(made.get(0).at("/parameters/host").asText()).isEqualTo("acme.host.a");
        }
    }

    @Test
    void eventsStoredOutOfTheOrderTheyOccurred_stillCountInTheirWindow() throws Exception {
        try (TestApi api = newApi(null)) {
            api.pool("p");
            String d = deployment(api, "d");
            TestApi.ok(api.post("/api/automations", """
                    {"name": "two-pings", "trigger": {"expect": "acme.ping", "threshold": 2, "within": 60},
                     "actions": [{"type": "run-deployment", "deployment_id": "%s"}]}""".formatted(d)));
            java.time.Instant now = api.clock.now();

            // the later one is stored first (two senders, one a little behind): the earlier one is late, not outside
            api.post("/api/events", "[{\"id\": \"later\", \"occurred\": \"" + now + "\", \"event\": \"acme.ping\", "
                    + "\"resource\": {\"ferry.resource.id\": \"acme.host\"}}]");
            api.post("/api/events", "[{\"id\": \"earlier\", \"occurred\": \"" + now.minusSeconds(5) + "\", \"event\": \"acme.ping\", "
                    + "\"resource\": {\"ferry.resource.id\": \"acme.host\"}}]");
            deliver(api);

            assertThat(runs(api, d)).hasSize(1);
        }
    }

    @Test
    void aNearMiss_isKept_sayingWhichLabelDiffered() throws Exception {
        try (TestApi api = newApi(null)) {
            api.pool("p");
            String a = deployment(api, "a");
            String b = deployment(api, "b");
            String c = deployment(api, "c");
            String id = runBAfterA(api, a, b);
            complete(api, c);
            deliver(api);

            JsonNode history = TestApi.ok(api.get("/api/automations/" + id + "/history"));

            assertThat(runs(api, b)).isEmpty();
            JsonNode miss = StreamSupport.stream(history.path("evaluations").spliterator(), false)
                    .filter(e -> e.path("outcome").asText().equals("near_miss")).findFirst().orElseThrow();
            assertThat(miss.path("event").asText()).isEqualTo("ferry.flow-run.Completed");
            assertThat(miss.path("detail").asText()).contains("ferry.resource.id", "ferry.deployment." + c, "ferry.deployment." + a);
        }
    }

    @Test
    void aProactiveTrigger_firesOncePerWindowThatMissedItsEvents() throws Exception {
        try (TestApi api = newApi(null)) {
            api.pool("p");
            String x = deployment(api, "x");
            String alert = deployment(api, "alert");
            TestApi.ok(api.post("/api/automations", """
                    {"name": "x-is-late", "trigger": {"posture": "Proactive", "expect": ["ferry.flow-run.Completed"],
                      "match_related": {"ferry.resource.id": "ferry.deployment.%s"}, "within": 10},
                     "actions": [{"type": "run-deployment", "deployment_id": "%s",
                       "parameters": {"window": "{{ firing.window_start }}"}}]}""".formatted(x, alert)));

            api.clock.advance(Duration.ofSeconds(11));
            api.ferry.janitor().sweep();
            api.ferry.janitor().sweep();
            assertThat(runs(api, alert)).as("the first window missed its completion: one firing").hasSize(1);

            complete(api, x);
            deliver(api);
            api.clock.advance(Duration.ofSeconds(10));
            api.ferry.janitor().sweep();
            assertThat(runs(api, alert)).as("the second window saw one: no firing").hasSize(1);

            api.clock.advance(Duration.ofSeconds(10));
            api.ferry.janitor().sweep();
            assertThat(runs(api, alert)).as("the third window missed again").hasSize(2);
        }
    }

    @Test
    void aCompoundTrigger_firesWhenAllItsTriggersFiredWithinItsWindow() throws Exception {
        try (TestApi api = newApi(null)) {
            api.pool("p");
            String d = deployment(api, "d");
            TestApi.ok(api.post("/api/automations", """
                    {"name": "both-loaded", "trigger": {"type": "compound", "require": "all", "within": 300, "triggers": [
                        {"type": "event", "expect": "acme.table.loaded", "match": {"ferry.resource.id": "acme.table.orders"}},
                        {"type": "event", "expect": "acme.table.loaded", "match": {"ferry.resource.id": "acme.table.users"}}]},
                     "actions": [{"type": "run-deployment", "deployment_id": "%s"}]}""".formatted(d)));

            emit(api, "e-1", "acme.table.loaded", "acme.table.orders");
            emit(api, "e-2", "acme.table.loaded", "acme.table.orders");
            deliver(api);
            assertThat(runs(api, d)).isEmpty();
            emit(api, "e-3", "acme.table.loaded", "acme.table.users");
            deliver(api);

            assertThat(runs(api, d)).hasSize(1);
        }
    }

    @Test
    void aSequenceTrigger_firesOnlyForItsStepsInOrder() throws Exception {
        try (TestApi api = newApi(null)) {
            api.pool("p");
            String d = deployment(api, "d");
            TestApi.ok(api.post("/api/automations", """
                    {"name": "extract-then-load", "trigger": {"type": "sequence", "within": 300, "triggers": [
                        {"type": "event", "expect": "acme.extracted"}, {"type": "event", "expect": "acme.loaded"}]},
                     "actions": [{"type": "run-deployment", "deployment_name": "etl/d"}]}"""));

            emit(api, "e-1", "acme.loaded", "acme.job");
            deliver(api);
            assertThat(runs(api, d)).as("the second step alone is out of order").isEmpty();
            emit(api, "e-2", "acme.extracted", "acme.job");
            emit(api, "e-3", "acme.loaded", "acme.job");
            deliver(api);

            assertThat(runs(api, d)).hasSize(1);
        }
    }

    @Test
    void aCompoundWithAProactiveTrigger_firesOnce_whenTheWindowMissesItsEventAndTheOtherTriggerFired() throws Exception {
        try (TestApi api = newApi(null)) {
            api.pool("p");
            String a = deployment(api, "a");
            String b = deployment(api, "b");
            String alert = deployment(api, "alert");
            String id = TestApi.ok(api.post("/api/automations", aLateAndBFailed(a, b, alert))).path("id").asText();
            fail(api, b);
            deliver(api);
            assertThat(runs(api, alert)).as("a's window is still open").isEmpty();

            api.clock.advance(Duration.ofSeconds(11));
            api.ferry.janitor().sweep();
            api.ferry.janitor().sweep();

            assertThat(runs(api, alert)).as("no completion of a within 10 s, and b failed: one firing").hasSize(1);
            JsonNode history = TestApi.ok(api.get("/api/automations/" + id + "/history"));
            JsonNode missed = line(history, "t.0", "window_missed");
            assertThat(missed.path("detail").asText()).isEqualTo("0 of 1 expected events came before the window closed");
            assertThat(history.path("firings")).hasSize(1);
            String firing = history.path("firings").get(0).path("key").asText();
            assertThat(firing).isNotEmpty();
            assertThat(line(history, "t", "fired").path("firing").asText()).isEqualTo(firing);
            assertThat(missed.path("firing").asText()).as("the closed window made it fire").isEqualTo(firing);

            // the failure's event again fires nothing, nor does the next window missing alone
            Event failed = Json.MAPPER.convertValue(TestApi.ok(api.get("/api/events?event=ferry.flow-run.Failed")).path("items").get(0),
                    Event.class);
            api.ferry.automations().engine().evaluate(failed);
            api.clock.advance(Duration.ofSeconds(10));
            api.ferry.janitor().sweep();
            assertThat(runs(api, alert)).hasSize(1);
        }
    }

    @Test
    void aCompoundWithAProactiveTrigger_firesNothing_whenTheExpectedEventCameInTime() throws Exception {
        try (TestApi api = newApi(null)) {
            api.pool("p");
            String a = deployment(api, "a");
            String b = deployment(api, "b");
            String alert = deployment(api, "alert");
            String id = TestApi.ok(api.post("/api/automations", aLateAndBFailed(a, b, alert))).path("id").asText();
            complete(api, a);
            fail(api, b);
            deliver(api);

            api.clock.advance(Duration.ofSeconds(11));
            api.ferry.janitor().sweep();

            assertThat(runs(api, alert)).as("a completed within its window").isEmpty();
            JsonNode met = line(TestApi.ok(api.get("/api/automations/" + id + "/history")), "t.0", "window_met");
            assertThat(met.path("count").asInt()).isEqualTo(1);

            api.clock.advance(Duration.ofSeconds(10));
            api.ferry.janitor().sweep();
            assertThat(runs(api, alert)).as("the next window saw no completion, and b's failure is still in the compound's window")
                    .hasSize(1);
        }
    }

    @Test
    void aWindowThatEndedBeforeTheJanitorClosedIt_stillFires_whenAnEventComesFirst() throws Exception {
        try (TestApi api = newApi(null)) {
            api.pool("p");
            String d = deployment(api, "d");
            TestApi.ok(api.post("/api/automations", """
                    {"name": "quiet-and-broken", "trigger": {"type": "compound", "require": "all", "within": 60, "triggers": [
                        {"type": "event", "posture": "Proactive", "expect": "acme.heartbeat", "within": 10},
                        {"type": "event", "expect": "acme.broken"}]},
                     "actions": [{"type": "run-deployment", "deployment_id": "%s"}]}""".formatted(d)));
            TestApi.ok(api.post("/api/automations", """
                    {"name": "quiet", "trigger": {"posture": "Proactive", "expect": "acme.pulse", "within": 10},
                     "actions": [{"type": "run-deployment", "deployment_id": "%s"}]}""".formatted(d)));
            emit(api, "e-1", "acme.broken", "acme.host.a");
            deliver(api);

            api.clock.advance(Duration.ofSeconds(11));
            // after the first windows ended, before any sweep; one event for each automation, so that each batch
            // concerns one (the emulator is not safe under the concurrent commits of automations evaluated side by side)
            emit(api, "e-2", "acme.heartbeat", "acme.host.a");
            deliver(api);
            emit(api, "e-3", "acme.pulse", "acme.host.a");
            deliver(api);
            assertThat(runs(api, d)).as("each quiet window closed before the event counted in the next: both fired").hasSize(2);

            api.clock.advance(Duration.ofSeconds(10));
            api.ferry.janitor().sweep();
            api.ferry.janitor().sweep();
            assertThat(runs(api, d)).as("the events counted in the second windows").hasSize(2);
        }
    }

    @Test
    void aCompoundOfAnyWithAProactiveTrigger_firesForEachOfItsTriggers() throws Exception {
        try (TestApi api = newApi(null)) {
            api.pool("p");
            String d = deployment(api, "d");
            TestApi.ok(api.post("/api/automations", """
                    {"name": "quiet-or-broken", "trigger": {"type": "compound", "require": "any", "within": 60, "triggers": [
                        {"type": "event", "posture": "Proactive", "expect": "acme.heartbeat", "within": 10},
                        {"type": "event", "expect": "acme.broken"}]},
                     "actions": [{"type": "run-deployment", "deployment_id": "%s"}]}""".formatted(d)));

            api.clock.advance(Duration.ofSeconds(11));
            api.ferry.janitor().sweep();
            assertThat(runs(api, d)).as("no heartbeat within 10 s").hasSize(1);

            emit(api, "e-1", "acme.heartbeat", "acme.host.a");
            emit(api, "e-2", "acme.broken", "acme.host.a");
            deliver(api);
            assertThat(runs(api, d)).as("broken").hasSize(2);

            api.clock.advance(Duration.ofSeconds(10));
            api.ferry.janitor().sweep();
            assertThat(runs(api, d)).as("the second window had its heartbeat").hasSize(2);
        }
    }

    @Test
    void aSequenceWithAProactiveStep_firesWhenItsWindowMissesAfterTheStepBefore() throws Exception {
        try (TestApi api = newApi(null)) {
            api.pool("p");
            String d = deployment(api, "d");
            String id = TestApi.ok(api.post("/api/automations", """
                    {"name": "extracted-then-quiet", "trigger": {"type": "sequence", "within": 60, "triggers": [
                        {"type": "event", "expect": "acme.extracted"},
                        {"type": "event", "posture": "Proactive", "expect": "acme.loaded", "within": 10}]},
                     "actions": [{"type": "run-deployment", "deployment_id": "%s"}]}""".formatted(d))).path("id").asText();

            api.clock.advance(Duration.ofSeconds(11));
            api.ferry.janitor().sweep();
            assertThat(runs(api, d)).as("the quiet window came before anything was extracted: out of order").isEmpty();

            emit(api, "e-1", "acme.extracted", "acme.job");
            deliver(api);
            api.clock.advance(Duration.ofSeconds(10));
            api.ferry.janitor().sweep();

            assertThat(runs(api, d)).as("extracted, then 10 s without a load").hasSize(1);
            JsonNode history = TestApi.ok(api.get("/api/automations/" + id + "/history"));
            assertThat(line(history, "t", "fired").path("detail").asText()).isEqualTo("all 2 steps fired in order");
            assertThat(line(history, "t", "waiting").path("detail").asText()).contains("out of order");
        }
    }

    @Test
    void aSequencesProactiveStep_whoseWindowEndedBeforeTheStepBefore_isOutOfOrder_thoughClosedAfterIt() throws Exception {
        try (TestApi api = newApi(null)) {
            api.pool("p");
            String d = deployment(api, "d");
            TestApi.ok(api.post("/api/automations", """
                    {"name": "extracted-then-quiet", "trigger": {"type": "sequence", "within": 60, "triggers": [
                        {"type": "event", "expect": "acme.extracted"},
                        {"type": "event", "posture": "Proactive", "expect": "acme.loaded", "within": 10}]},
                     "actions": [{"type": "run-deployment", "deployment_id": "%s"}]}""".formatted(d)));

            api.clock.advance(Duration.ofSeconds(11));
            emit(api, "e-1", "acme.extracted", "acme.job");
            deliver(api);
            api.ferry.janitor().sweep(); // the window that ended a second before the extract is closed only now
            assertThat(runs(api, d)).as("that window was quiet before the extract, not after it").isEmpty();

            api.clock.advance(Duration.ofSeconds(10));
            api.ferry.janitor().sweep();
            assertThat(runs(api, d)).as("the next window, all of it after the extract").hasSize(1);
        }
    }

    @Test
    void aSequenceWithAProactiveStepAfterAnEvent_firesWhenNothingFollowedItInTime() throws Exception {
        try (TestApi api = newApi(null)) {
            api.pool("p");
            String d = deployment(api, "d");
            TestApi.ok(api.post("/api/automations", """
                    {"name": "extract-not-loaded", "trigger": {"type": "sequence", "within": 60, "triggers": [
                        {"type": "event", "expect": "acme.extracted"},
                        {"type": "event", "posture": "Proactive", "after": "acme.extracted", "expect": "acme.loaded", "within": 10}]},
                     "actions": [{"type": "run-deployment", "deployment_id": "%s"}]}""".formatted(d)));

            emit(api, "e-1", "acme.extracted", "acme.job");
            emit(api, "e-2", "acme.loaded", "acme.job");
            deliver(api);
            api.clock.advance(Duration.ofSeconds(11));
            api.ferry.janitor().sweep();
            assertThat(runs(api, d)).as("loaded in time").isEmpty();

            emit(api, "e-3", "acme.extracted", "acme.job");
            deliver(api);
            api.clock.advance(Duration.ofSeconds(11));
            api.ferry.janitor().sweep();
            api.ferry.janitor().sweep();
            assertThat(runs(api, d)).as("extracted, and no load within 10 s").hasSize(1);
        }
    }

    @Test
    @ThreadRace
    void enginesClosingOneNestedWindowAtOnce_makeOneFiring() throws Exception {
        try (TestApi api = newApi(null)) {
            api.pool("p");
            String a = deployment(api, "a");
            String b = deployment(api, "b");
            String alert = deployment(api, "alert");
            TestApi.ok(api.post("/api/automations", aLateAndBFailed(a, b, alert)));
            fail(api, b);
            deliver(api);
            api.clock.advance(Duration.ofSeconds(11));
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<?>> engines = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    engines.add(pool.submit(() -> {
                        go.await();
                        api.ferry.automations().engine().sweep();
                        return null;
                    }));
                }
                go.countDown();
                for (Future<?> engine : engines) engine.get();
            } finally {
                pool.shutdownNow();
            }
            api.ferry.janitor().sweep(); // whichever lost to a count or a close sees what is left

            assertThat(runs(api, alert)).hasSize(1);
            assertThat(events(api, "ferry.automation.triggered")).hasSize(1);
        }
    }

    @Test
    void aTemplateThatCannotRender_failsItsActionWithTheReason_andTheNextActionStillRuns() throws Exception {
        try (TestApi api = newApi(null)) {
            api.pool("p");
            String d = deployment(api, "d");
            String id = TestApi.ok(api.post("/api/automations", """
                    {"name": "half-broken", "trigger": {"expect": "acme.ping"},
                     "actions": [{"type": "run-deployment", "deployment_id": "%s", "parameters": {"x": "{{ event.payload.missing }}"}},
                                 {"type": "pause-deployment", "deployment_id": "%s"}]}""".formatted(d, d))).path("id").asText();

            emit(api, "e-1", "acme.ping", "acme.host.a");
            deliver(api);

            JsonNode firing = TestApi.ok(api.get("/api/automations/" + id + "/history")).path("firings").get(0);
            assertThat(firing.at("/actions/0/status").asText()).isEqualTo("failed");
            assertThat(firing.at("/actions/0/detail").asText()).contains("missing");
            assertThat(firing.at("/actions/1/status").asText()).isEqualTo("ok");
            assertThat(api.get("/api/deployments/" + d).body().path("paused").asBoolean()).isTrue();
            assertThat(runs(api, d)).isEmpty();
        }
    }

    @Test
    void aPausedAutomation_firesNothing_untilResumed() throws Exception {
        try (TestApi api = newApi(null)) {
            api.pool("p");
            String d = deployment(api, "d");
            String id = TestApi.ok(api.post("/api/automations", """
                    {"name": "on-ping", "trigger": {"expect": "acme.ping"},
                     "actions": [{"type": "run-deployment", "deployment_id": "%s"}]}""".formatted(d))).path("id").asText();

            TestApi.ok(api.patch("/api/automations/" + id, "{\"enabled\": false}"));
            emit(api, "e-1", "acme.ping", "acme.host.a");
            deliver(api);
            assertThat(runs(api, d)).isEmpty();
            TestApi.ok(api.patch("/api/automations/" + id, "{\"enabled\": true}"));
            emit(api, "e-2", "acme.ping", "acme.host.a");
            deliver(api);

            assertThat(runs(api, d)).hasSize(1);
        }
    }

    @Test
    void anAutomationFiringPastTheLimit_isPausedByItsCircuitBreaker_once_untilResumed() throws Exception {
        // a small limit: the breaker counts firings within a real minute here, which a slow emulator must not outlast
        int limit = 3;
        try (TestApi api = newApi(null, new Settings(Settings.DEFAULTS.eventRetention(), limit, false))) {
            api.pool("p");
            JsonNode automation = TestApi.ok(api.post("/api/automations", """
                    {"name": "on-ping", "trigger": {"expect": "acme.ping"},
                     "actions": [{"type": "resume-work-pool", "work_pool_name": "p"}]}"""));
            String id = automation.path("id").asText();
            // given: one event more than the automation may fire on within a minute, and one after that
            StringBuilder batch = new StringBuilder("[");
            for (int i = 0; i < limit + 2; i++) {
                batch.append(i == 0 ? "" : ",").append("{\"id\": \"ping-").append(i).append("\", \"event\": \"acme.ping\", ")
                        .append("\"resource\": {\"ferry.resource.id\": \"acme.host.a\"}}");
            }
            assertThat(api.post("/api/events", batch.append("]").toString()).status()).isEqualTo(202);

            // when
            deliver(api);
            deliver(api);

            // then: it fired up to the limit, the next firing tripped the breaker, which said so once and paused it
            assertThat(events(api, "ferry.automation.triggered")).hasSize(limit);
            List<JsonNode> broken = events(api, "ferry.automation.circuit-broken");
            assertThat(broken).hasSize(1);
            assertThat(broken.get(0).at("/resource/ferry.resource.id").asText()).isEqualTo("ferry.automation." + id);
            assertThat(broken.get(0).at("/payload/limit").asInt()).isEqualTo(limit);
            JsonNode paused = TestApi.ok(api.get("/api/automations/" + id));
            assertThat(paused.path("enabled").asBoolean()).isFalse();
            assertThat(paused.path("paused_reason").asText()).contains("circuit breaker").contains(String.valueOf(limit));
            JsonNode history = TestApi.ok(api.get("/api/automations/" + id + "/history"));
            assertThat(outcomes(history)).containsOnlyOnce("circuit_broken");
            assertThat(history.at("/automation/paused_reason").asText()).isEqualTo(paused.path("paused_reason").asText());

            // resuming closes the breaker: the next event fires again
            JsonNode resumed = TestApi.ok(api.patch("/api/automations/" + id, "{\"enabled\": true}"));
            assertThat(resumed.path("paused_reason").isNull()).isTrue();
            emit(api, "ping-after", "acme.ping", "acme.host.a");
            deliver(api);
            assertThat(events(api, "ferry.automation.triggered")).hasSize(limit + 1);
            assertThat(TestApi.ok(api.get("/api/automations/" + id)).path("enabled").asBoolean()).isTrue();
        }
    }

    private static List<JsonNode> events(TestApi api, String name) {
        List<JsonNode> out = new ArrayList<>();
        TestApi.ok(api.get("/api/events?event=" + name + "&limit=200")).path("items").forEach(out::add);
        return out;
    }

    @Test
    void badAutomations_areRefusedNamingTheField() {
        try (TestApi api = newApi(null)) {
            api.pool("p");
            String d = deployment(api, "d");
            String ok = "\"actions\": [{\"type\": \"run-deployment\", \"deployment_id\": \"" + d + "\"}]";
            assertRefused(api.post("/api/automations", "{\"name\": \"x\", \"trigger\": {\"expect\": \"a\", \"colour\": 1}, " + ok + "}"),
                    400, "trigger.colour");
            assertRefused(api.post("/api/automations", "{\"name\": \"x\", \"trigger\": {\"expect\": \"a\", \"threshold\": 0}, " + ok + "}"),
                    422, "trigger.threshold");
            assertRefused(api.post("/api/automations", "{\"name\": \"x\", \"trigger\": {\"posture\": \"Proactive\", \"expect\": \"a\"}, "
                    + ok + "}"), 422, "trigger.within");
            assertRefused(api.post("/api/automations", "{\"name\": \"x\", \"trigger\": {\"expect\": \"a\"}, \"actions\": [{\"type\": "
                    + "\"run-deployment\", \"deployment_id\": \"" + d + "\", \"parameters\": {\"b\": \"{{ event.\"}}]}"), 422,
                    "actions[0].parameters.b");
            assertRefused(api.post("/api/automations", "{\"name\": \"x\", \"trigger\": {\"expect\": \"a\"}, \"actions\": [{\"type\": "
                    + "\"run-deployment\", \"deployment_id\": \"nope\"}]}"), 422, "actions[0].deployment_id");
            assertRefused(api.post("/api/automations", "{\"name\": \"x\", \"trigger\": {\"expect\": \"a\"}, \"actions\": [{\"type\": "
                    + "\"launch-rocket\"}]}"), 422, "actions[0].type");
            assertRefused(api.post("/api/automations", "{\"name\": \"x\", \"trigger\": {\"expect\": \"a\"}, \"actions\": [{\"type\": "
                    + "\"run-deployment\", \"deployment_name\": \"etl/nope\"}]}"), 422, "actions[0].deployment_name");
            assertRefused(api.post("/api/automations", "{\"name\": \"x\", \"trigger\": {\"expect\": \"a\"}, \"actions\": [{\"type\": "
                    + "\"run-deployment\", \"deployment_name\": \"no-slash\"}]}"), 422, "actions[0].deployment_name");
            assertRefused(api.post("/api/automations", "{\"name\": \"x\", \"trigger\": {\"expect\": \"a\"}, \"actions\": [{\"type\": "
                    + "\"call-webhook\", \"url\": \"ftp://example.com\"}]}"), 422, "actions[0].url");
            assertRefused(api.post("/api/automations", "{\"name\": \"loop\", \"trigger\": {\"expect\": \"ferry.flow-run.*\"}, \"actions\": "
                    + "[{\"type\": \"run-deployment\", \"source\": \"inferred\"}]}"), 422, "actions[0]");
            String quiet = "{\"posture\": \"Proactive\", \"expect\": \"a\", \"within\": 10}";
            String eleven = "{\"type\": \"compound\", \"triggers\": [" + String.join(", ", java.util.Collections.nCopies(11, quiet)) + "]}";
            assertRefused(api.post("/api/automations", "{\"name\": \"x\", \"trigger\": {\"type\": \"compound\", \"require\": \"any\", "
                    + "\"triggers\": [" + eleven + ", " + eleven + "]}, " + ok + "}"), 422, "trigger");
            TestApi.ok(api.post("/api/automations", "{\"name\": \"x\", \"trigger\": {\"expect\": \"a\"}, " + ok + "}"));
            assertRefused(api.post("/api/automations", "{\"name\": \"x\", \"trigger\": {\"expect\": \"a\"}, " + ok + "}"), 409, "name");

            assertThat(api.get("/api/automations").body().path("items")).hasSize(1);
        }
    }

    @Test
    void automations_areListedReadChangedAndDeleted() {
        try (TestApi api = newApi(null)) {
            api.pool("p");
            String d = deployment(api, "d");
            for (String name : List.of("c", "a", "b")) {
                TestApi.ok(api.post("/api/automations", "{\"name\": \"" + name + "\", \"trigger\": {\"expect\": \"x\"}, \"actions\": "
                        + "[{\"type\": \"pause-deployment\", \"deployment_id\": \"" + d + "\"}]}"));
            }
            JsonNode first = TestApi.ok(api.get("/api/automations?limit=2"));
            JsonNode second = TestApi.ok(api.get("/api/automations?limit=2&next=" + first.path("next").asText()));
            assertThat(names(first.path("items"), "name")).containsExactly("a", "b");
            assertThat(names(second.path("items"), "name")).containsExactly("c");
            assertThat(second.path("next").isNull()).isTrue();

            JsonNode b = TestApi.ok(api.get("/api/automations/name/b"));
            JsonNode changed = TestApi.ok(api.patch("/api/automations/" + b.path("id").asText(), "{\"description\": \"why\"}"));
            assertThat(changed.path("description").asText()).isEqualTo("why");
            assertThat(changed.path("revision").asLong()).isEqualTo(b.path("revision").asLong() + 1);
            assertThat(api.delete("/api/automations/" + b.path("id").asText()).status()).isEqualTo(204);
            assertThat(api.get("/api/automations/" + b.path("id").asText()).status()).isEqualTo(404);
            assertThat(api.get("/api/automations/name/b").status()).isEqualTo(404);
        }
    }

    @Test
    void aDeploymentsTriggers_areUpsertedByName_keepingTheOnesNotChanged() throws Exception {
        try (TestApi api = newApi(null)) {
            api.pool("p");
            String extract = """
                    {"name": "after-extract", "expect": "acme.extracted",
                     "parameters": {"source": "{{ event.resource['ferry.resource.id'] }}"}}""";
            String load = deployWithTriggers(api, "[" + extract + ", {\"name\": \"on-check\", \"expect\": \"acme.check\"}]", null);
            JsonNode first = TestApi.ok(api.get("/api/automations/name/etl:load:after-extract"));
            assertThat(first.path("deployment_id").asText()).isEqualTo(load);
            assertThat(api.get("/api/automations/name/etl:load:on-check").status()).isEqualTo(200);

            emit(api, "e-1", "acme.extracted", "acme.table.orders");
            deliver(api);
            assertThat(runs(api, load)).hasSize(1);
            assertThat(runs(api, load).get(0).at("/parameters/source").asText()).isEqualTo("acme.table.orders");

            deployWithTriggers(api, "[" + extract + ", {\"name\": \"on-audit\", \"expect\": \"acme.audit\"}]", null);
            JsonNode kept = TestApi.ok(api.get("/api/automations/name/etl:load:after-extract"));
            assertThat(kept.path("id").asText()).isEqualTo(first.path("id").asText());
            assertThat(kept.path("revision").asLong()).as("not recreated, not even rewritten").isEqualTo(first.path("revision").asLong());
            assertThat(api.get("/api/automations/name/etl:load:on-check").status()).isEqualTo(404);
            assertThat(api.get("/api/automations/name/etl:load:on-audit").status()).isEqualTo(200);

            deployWithTriggers(api, null, "still there");
            assertThat(api.get("/api/automations/name/etl:load:on-audit").status()).as("no triggers key: kept").isEqualTo(200);

            Response bad = api.post("/api/deployments", deploymentBody("[{\"name\": \"x\", \"expect\": \"a\", \"threshold\": 0}]",
                    "never stored"));
            assertRefused(bad, 422, "triggers[0].threshold");
            assertThat(TestApi.ok(api.get("/api/deployments/" + load)).path("description").asText()).isEqualTo("still there");

            assertThat(api.delete("/api/deployments/" + load).status()).isEqualTo(204);
            assertThat(api.get("/api/automations/name/etl:load:after-extract").status()).isEqualTo(404);
        }
    }

    private static String deployWithTriggers(TestApi api, String triggers, String description) {
        return TestApi.ok(api.post("/api/deployments", deploymentBody(triggers, description))).path("id").asText();
    }

    private static String deploymentBody(String triggers, String description) {
        return "{\"name\": \"load\", \"flow_name\": \"etl\", \"entrypoint\": \"flows/etl.py:load\", \"work_pool_name\": \"p\""
                + (description == null ? "" : ", \"description\": \"" + description + "\"")
                + (triggers == null ? "" : ", \"triggers\": " + triggers) + "}";
    }

    // --- helpers ---

    private static String runBAfterA(TestApi api, String a, String b) {
        return TestApi.ok(api.post("/api/automations", """
                {"name": "b-after-a", "trigger": {"expect": "ferry.flow-run.Completed",
                  "match_related": {"ferry.resource.role": "deployment", "ferry.resource.id": "ferry.deployment.%s"}},
                 "actions": [{"type": "run-deployment", "deployment_id": "%s"}]}""".formatted(a, b))).path("id").asText();
    }

    private static String deployment(TestApi api, String name) {
        return TestApi.ok(api.post("/api/deployments", "{\"name\": \"" + name + "\", \"flow_name\": \"etl\", "
                + "\"entrypoint\": \"flows/etl.py:etl\", \"work_pool_name\": \"p\"}")).path("id").asText();
    }

    /** Runs one run of the deployment to COMPLETED; its id. */
    private static String complete(TestApi api, String deploymentId) {
        String runId = api.run(deploymentId, null).path("id").asText();
        JsonNode claimed = api.claim("p", "w1", 10);
        assertThat(StreamSupport.stream(claimed.spliterator(), false).map(c -> c.at("/flow_run/id").asText())).contains(runId);
        TestApi.ok(api.setState(runId, "RUNNING"));
        TestApi.ok(api.setState(runId, "COMPLETED"));
        return runId;
    }

    /** Runs one run of the deployment to FAILED; its id. */
    private static String fail(TestApi api, String deploymentId) {
        String runId = api.run(deploymentId, null).path("id").asText();
        JsonNode claimed = api.claim("p", "w1", 10);
        assertThat(StreamSupport.stream(claimed.spliterator(), false).map(c -> c.at("/flow_run/id").asText())).contains(runId);
        TestApi.ok(api.setState(runId, "RUNNING"));
        TestApi.ok(api.setState(runId, "FAILED"));
        return runId;
    }

    /** The example: no run of a completed within 10 s, and a run of b failed, both within a minute. */
    private static String aLateAndBFailed(String a, String b, String alert) {
        return """
                {"name": "a-late-and-b-failed", "trigger": {"type": "compound", "require": "all", "within": 60, "triggers": [
                    {"type": "event", "posture": "Proactive", "expect": "ferry.flow-run.Completed", "within": 10,
                     "match_related": {"ferry.resource.role": "deployment", "ferry.resource.id": "ferry.deployment.%s"}},
                    {"type": "event", "expect": "ferry.flow-run.Failed",
                     "match_related": {"ferry.resource.role": "deployment", "ferry.resource.id": "ferry.deployment.%s"}}]},
                 "actions": [{"type": "run-deployment", "deployment_id": "%s"}]}""".formatted(a, b, alert);
    }

    /** The newest history line of {@code trigger} with {@code outcome}. */
    private static JsonNode line(JsonNode history, String trigger, String outcome) {
        return StreamSupport.stream(history.path("evaluations").spliterator(), false)
                .filter(e -> trigger.equals(e.path("trigger").asText()) && outcome.equals(e.path("outcome").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + outcome + " line for " + trigger + " in " + history.path("evaluations")));
    }

    private static Event completedEvent(TestApi api) {
        JsonNode event = TestApi.ok(api.get("/api/events?event=ferry.flow-run.Completed")).path("items").get(0);
        return Json.MAPPER.convertValue(event, Event.class);
    }

    private static List<JsonNode> runs(TestApi api, String deploymentId) {
        List<JsonNode> runs = new ArrayList<>();
        TestApi.ok(api.get("/api/flow_runs?deployment_id=" + deploymentId)).path("items").forEach(runs::add);
        return runs;
    }

    private static void emit(TestApi api, String id, String name, String resource) {
        assertThat(api.post("/api/events", "[{\"id\": \"" + id + "\", \"event\": \"" + name + "\", "
                + "\"resource\": {\"ferry.resource.id\": \"" + resource + "\"}}]").status()).isEqualTo(202);
    }

    private static List<String> outcomes(JsonNode history) {
        return StreamSupport.stream(history.path("evaluations").spliterator(), false).map(e -> e.path("outcome").asText()).toList();
    }

    private static List<String> names(JsonNode items) {
        return names(items, "event");
    }

    private static List<String> names(JsonNode items, String field) {
        return StreamSupport.stream(items.spliterator(), false).map(e -> e.path(field).asText()).toList();
    }

    private static JsonNode related(JsonNode event, String role) {
        return StreamSupport.stream(event.path("related").spliterator(), false)
                .filter(r -> role.equals(r.path("ferry.resource.role").asText())).findFirst().orElseThrow();
    }

    private static void assertRefused(Response r, int status, String field) {
        assertThat(r.status()).as("%s", r.body()).isEqualTo(status);
        assertThat(r.field()).isEqualTo(field);
    }
}
