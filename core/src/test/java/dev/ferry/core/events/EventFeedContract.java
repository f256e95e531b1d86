package dev.ferry.core.events;

import static dev.ferry.core.testing.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What every {@link EventFeed} adapter must do: hand out each stored event once, in the order
 * stored, from where the last batch ended. An adapter's test subclasses this.
 */
public abstract class EventFeedContract {

    /** A fresh, empty store that is also its feed. */
    protected abstract <T extends EventStore & EventFeed> T newFeed();

    @Test
    void theFeed_givesTheStoredEventsInOrder_onceEach_fromWhereTheLastBatchEnded() {
        var store = newFeed();
        // stored in an order that is not their occurrence's: the feed follows the storing
        store.append(EventStoreContract.event("b", T0.plusSeconds(5), "acme.tick", "acme.clock"));
        store.append(EventStoreContract.event("a", T0, "acme.tick", "acme.clock"));
        store.append(EventStoreContract.event("b", T0.plusSeconds(9), "acme.tick", "acme.clock"));
        store.append(EventStoreContract.event("c", T0.plusSeconds(1), "acme.tick", "acme.clock"));

        EventFeed.Batch first = store.after(null, 2);
        EventFeed.Batch second = store.after(first.next(), 2);
        EventFeed.Batch third = store.after(second.next(), 2);

        assertThat(ids(first)).containsExactly("b", "a");
        assertThat(ids(second)).containsExactly("c");
        assertThat(third.events()).isEmpty();
        assertThat(third.next()).isEqualTo(second.next());
        store.append(EventStoreContract.event("d", T0, "acme.tick", "acme.clock"));
        assertThat(ids(store.after(third.next(), 10))).containsExactly("d");
    }

    private static List<String> ids(EventFeed.Batch batch) {
        return batch.events().stream().map(Event::id).toList();
    }
}
