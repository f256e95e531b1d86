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
 * Two engines closing the same nested proactive window, on each trigger store, the interleaving
 * forced rather than left to threads (which an emulator not atomic under concurrent requests
 * can't be trusted with): the first reads the ended window and the compound above it and decides
 * to fire; just before it commits, the second closes the window and fires. The first's commit is
 * refused by the store's conditions, so the compound fires once.
 */
public abstract class NestedWindowRaceContract {
    private final TestClock clock = TestClock.fixed(Instant.parse("2026-12-02T12:00:00Z"));
    private final InMemoryAdapters adapters = InMemoryAdapters.on(clock);

    /** A fresh, empty trigger store of the adapter under test. */
    protected abstract TriggerStore newStore();

    @Test
    void aWindowClosedByAnotherEngineBetweenReadAndCommit_firesOnce() throws Exception {
        TriggerStore store = newStore();
        Ferry second = Ferry.wire(with(store), clock, Ids.RANDOM);
        Interleaving interleaving = new Interleaving(store, () -> second.automations().engine().sweep());
        Ferry first = Ferry.wire(with(interleaving), clock, Ids.RANDOM);
        Automation automation = first.automations().service().create(new AutomationService.NewAutomation("quiet-and-broken", null,
                true, (ObjectNode) Json.tree("""
                        {"type": "compound", "require": "all", "within": 60, "triggers": [
                            {"type": "event", "posture": "Proactive", "expect": "acme.heartbeat", "within": 10},
                            {"type": "event", "expect": "acme.broken"}]}"""),
                List.of((ObjectNode) Json.tree("{\"type\": \"pause-automation\"}"))));
        first.automations().engine().evaluate(new Event("e-1", clock.now(), "acme.broken", Resource.of("acme.host.a", null),
                List.of(), null, null, null));
        clock.advance(Duration.ofSeconds(11));

        interleaving.armed = true;
        assertThat(first.automations().engine().sweep()).as("the first engine's close is refused").isZero();
        assertThat(interleaving.armed).as("the second engine went between").isFalse();
        first.automations().engine().sweep();
        second.automations().engine().sweep();

        List<TriggerStore.Entry> firings = store.scan(AutomationEngine.firingsGroup(automation.id()), null, false, 10);
        assertThat(firings).as("one firing, made by the engine that closed the window").hasSize(1);
        assertThat(firings.get(0).doc()).contains("\"trigger\":\"t\"");
        assertThat(first.automations().service().get(automation.id()).enabled()).as("its action ran").isFalse();
    }

    /** The in-memory ports, with {@code store} for the trigger store. */
    private Ports with(TriggerStore store) {
        Ports ports = adapters.ports(new ManualTimer());
        return new Ports(ports.pools(), ports.deployments(), ports.runs(), ports.runLogs(), ports.scheduleCursors(),
                ports.taskDefinitions(), ports.events(), ports.eventFeed(), store, ports.workQueues(), ports.timer());
    }

    /** A store that, when armed, lets another engine sweep just before the next commit goes through. */
    private static final class Interleaving implements TriggerStore {
        private final TriggerStore store;
        private final Sweep meanwhile;
        volatile boolean armed;

        Interleaving(TriggerStore store, Sweep meanwhile) {
            this.store = store;
            this.meanwhile = meanwhile;
        }

        interface Sweep {
            int run() throws InterruptedException;
        }

        @Override
        public boolean commit(List<Change> changes) {
            if (armed) {
                armed = false;
                try {
                    assertThat(meanwhile.run()).as("the other engine closed the window").isEqualTo(1);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            return store.commit(changes);
        }

        @Override
        public Optional<Entry> get(Key key) {
            return store.get(key);
        }

        @Override
        public List<Entry> due(Instant by, int limit) {
            return store.due(by, limit);
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
