package dev.ferry.core.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Ids;
import dev.ferry.core.common.Json;
import dev.ferry.core.events.EventService;
import dev.ferry.core.events.InMemoryEvents;
import dev.ferry.core.testing.TestClock;
import dev.ferry.core.triggers.InMemoryTriggerStore;
import dev.ferry.core.triggers.TriggerStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A webhook's delete takes its id, its address and its retired addresses with it, even when a commit is refused once. */
class WebhookDeleteTest {
    private final InMemoryTriggerStore stored = new InMemoryTriggerStore();
    private final AtomicInteger refusals = new AtomicInteger();
    private final TriggerStore store = new TriggerStore() {
        @Override
        public Optional<Entry> get(Key key) {
            return stored.get(key);
        }

        @Override
        public boolean commit(List<Change> changes) {
            // another writer got there first, once: the commit is refused and nothing is written
            if (changes.stream().allMatch(c -> c.kind() == Change.Kind.DELETE) && refusals.getAndDecrement() > 0) return false;
            return stored.commit(changes);
        }

        @Override
        public List<Entry> scan(String group, String after, boolean descending, int limit) {
            return stored.scan(group, after, descending, limit);
        }

        @Override
        public List<Entry> due(Instant by, int limit) {
            return stored.due(by, limit);
        }

        @Override
        public void purge(Instant now) {
            stored.purge(now);
        }
    };
    private final TestClock clock = TestClock.ticking();
    private final WebhookService webhooks = new WebhookService(store,
            new EventService(new InMemoryEvents(), clock, Ids.RANDOM, Duration.ofDays(7)), clock, Ids.RANDOM);

    @Test
    void aRefusedCommit_isRetried_andEveryAddressGoes() {
        Webhook w = webhooks.create(new WebhookService.NewWebhook("ģ", template(), null, null)).webhook();
        webhooks.rotate(w.id(), Duration.ofHours(1), null);
        Webhook rotated = webhooks.get(w.id());
        refusals.set(1);

        webhooks.delete(w.id());

        assertThatThrownBy(() -> webhooks.get(w.id())).isInstanceOf(BadInput.class);
        assertThat(stored.scan("webhook-slugs", null, false, 10)).as("the address and the retired one").isEmpty();
        assertThat(stored.scan("webhook-ids", null, false, 10)).isEmpty();
        assertThat(rotated.retired()).hasSize(1);
    }

    private static ObjectNode template() {
        return (ObjectNode) Json.tree("{\"event\": \"x\", \"resource\": {\"ferry.resource.id\": \"y\"}}");
    }
}
