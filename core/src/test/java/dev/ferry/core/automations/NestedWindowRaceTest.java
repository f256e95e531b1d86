package dev.ferry.core.automations;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.Ferry;
import dev.ferry.core.Ports;
import dev.ferry.core.common.Ids;
import dev.ferry.core.common.Json;
import dev.ferry.core.events.Event;
import dev.ferry.core.events.Resource;
import dev.ferry.core.scheduler.ManualTimer;
import dev.ferry.core.testing.InMemoryAdapters;
import dev.ferry.core.testing.TestClock;
import dev.ferry.core.triggers.TriggerStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Two engines closing the same nested proactive window, the interleaving forced rather than left
 * to threads: the first reads the ended window, the second closes it (and fires), then the first
 * commits what it read. Its commit is refused, so the compound above the window fires once.
 */
class NestedWindowRaceTest {
    private final TestClock clock = TestClock.fixed(Instant.parse("2026-12-02T12:00:00Z"));
    private final InMemoryAdapters adapters = InMemoryAdapters.on(clock);

    @Test
    void aWindowClosedByAnotherEngineBetweenReadAndCommit_firesOnce() throws Exception {
        Ferry second = Ferry.wire(adapters.ports(new ManualTimer()), clock, Ids.RANDOM);
        Ports ports = adapters.ports(new ManualTimer());
        TriggerStore interleaved = new Interleaving(adapters.automations(), () -> second.automations().engine().sweep());
        Ferry first = Ferry.wire(new Ports(ports.pools(), ports.deployments(), ports.runs(), ports.runLogs(), ports.scheduleCursors(),
                ports.taskDefinitions(), ports.events(), ports.eventFeed(), interleaved, ports.workQueues(), ports.timer()),
                clock, Ids.RANDOM);
        Automation automation = first.automations().service().create(new AutomationService.NewAutomation("quiet-and-broken", null,
                true, (ObjectNode) Json.tree("""
                        {"type": "compound", "require": "all", "within": 60, "triggers": [
                            {"type": "event", "posture": "Proactive", "expect": "acme.heartbeat", "within": 10},
                            {"type": "event", "expect": "acme.broken"}]}"""),
                List.of((ObjectNode) Json.tree("{\"type\": \"pause-automation\"}"))));
        first.automations().engine().evaluate(new Event("e-1", clock.now(), "acme.broken",
                Resource.of("acme.host.a", null), List.of(), null, null, null));

        clock.advance(Duration.ofSeconds(11));
        first.automations().engine().sweep();
        first.automations().engine().sweep();
        second.automations().engine().sweep();

        List<TriggerStore.Entry> firings = adapters.automations().scan(AutomationEngine.firingsGroup(automation.id()), null, false, 10);
        assertThat(firings).as("one firing, made by the engine that closed the window first").hasSize(1);
        assertThat(firings.get(0).doc()).contains("\"trigger\":\"t\"");
        assertThat(first.automations().service().get(automation.id()).enabled()).as("its action ran").isFalse();
    }

    /** A store whose first read of what is due lets another engine sweep before the reader goes on. */
    private static final class Interleaving implements TriggerStore {
        private final TriggerStore store;
        private final Sweep meanwhile;
        private boolean done;

        Interleaving(TriggerStore store, Sweep meanwhile) {
            this.store = store;
            this.meanwhile = meanwhile;
        }

        interface Sweep {
            int run() throws InterruptedException;
        }

        @Override
        public List<Entry> due(Instant by, int limit) {
            List<Entry> due = store.due(by, limit);
            if (!done && !due.isEmpty()) {
                done = true;
                try {
                    assertThat(meanwhile.run()).as("the other engine closed the window").isEqualTo(1);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            return due;
        }

        @Override
        public Optional<Entry> get(Key key) {
            return store.get(key);
        }

        @Override
        public boolean commit(List<Change> changes) {
            return store.commit(changes);
        }

        @Override
        public List<Entry> scan(String group, String after, boolean descending, int limit) {
            return store.scan(group, after, descending, limit);
        }

        @Override
        public void purge(Instant now) {
            store.purge(now);
        }
    }
}
