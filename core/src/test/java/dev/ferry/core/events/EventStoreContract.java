package dev.ferry.core.events;

import static dev.ferry.core.testing.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What every {@link EventStore} adapter must do. An adapter's test subclasses this and supplies
 * {@link #newEventStore(int)}; nothing else.
 */
public abstract class EventStoreContract {

    /** A fresh, empty store that examines at most {@code scanBudget} events per scan. */
    protected abstract EventStore newEventStore(int scanBudget);

    /** True where the backend expires events itself and {@link EventStore#purge} does nothing (DynamoDB's TTL). */
    protected boolean expiresOnItsOwn() {
        return false;
    }

    private static final EventFilter ALL = EventFilter.between(T0.minus(Duration.ofDays(5)), T0.plus(Duration.ofDays(5)));

    @Test
    void append_storesAnIdOnce_andKeepsTheFirst() {
        EventStore store = newEventStore(EventStore.SCAN_BUDGET);
        Event first = event("e-1", T0, "acme.table.refreshed", "acme.table.orders");

        assertThat(store.append(first)).isTrue();
        assertThat(store.append(event("e-1", T0.plusSeconds(5), "acme.other", "acme.table.other"))).isFalse();

        assertThat(store.scan(ALL, null, 10).matched()).containsExactly(first);
    }

    @Test
    void scan_givesBackWhatWasAppended_fieldForField() {
        EventStore store = newEventStore(EventStore.SCAN_BUDGET);
        ObjectNode payload = Json.MAPPER.createObjectNode().put("rows", 12).put("note", "\u2603 \"quoted\"");
        payload.putArray("list").add(1).add(true);
        Event sent = new Event("e-1", T0.plusNanos(123_456_789), "acme.table.refreshed",
                Resource.of("acme.table.orders", "orders").with("zone", "eu"),
                List.of(Resource.related("ferry.deployment.d-1", "etl/nightly", "deployment")),
                payload, "e-0", T0.plusSeconds(1));

        store.append(sent);

        Event stored = store.scan(ALL, null, 10).matched().get(0);
        assertThat(stored).isEqualTo(sent);
        assertThat(stored.resource().labels()).containsExactly(Map.entry(Resource.ID, "acme.table.orders"),
                Map.entry(Resource.NAME, "orders"), Map.entry("zone", "eu"));
    }

    @Test
    void scan_pagesNewestFirst_andOldestFirst_withoutLossOrRepeat_acrossOneInstantAndDays() {
        EventStore store = newEventStore(EventStore.SCAN_BUDGET);
        List<Event> appended = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            // three share one instant; the others are a day apart, so a store that partitions by day crosses partitions
            Instant at = i < 3 ? T0 : T0.plus(Duration.ofDays(i - 3)).plusSeconds(1);
            Event e = event("e-" + i, at, "acme.tick", "acme.clock");
            store.append(e);
            appended.add(e);
        }

        List<Event> newestFirst = readAll(store, ALL, 2);
        List<Event> oldestFirst = readAll(store, ascending(ALL), 3);

        assertThat(newestFirst).hasSize(7).doesNotHaveDuplicates()
                .isSortedAccordingTo((a, b) -> EventPosition.of(b).compareTo(EventPosition.of(a)));
        List<Event> reversed = new ArrayList<>(newestFirst);
        Collections.reverse(reversed);
        assertThat(oldestFirst).containsExactlyElementsOf(reversed);
        assertThat(oldestFirst).containsExactlyInAnyOrderElementsOf(appended);
    }

    @Test
    void scan_keepsToTheRange_sinceIncluded_untilExcluded() {
        EventStore store = newEventStore(EventStore.SCAN_BUDGET);
        store.append(event("before", T0.minusNanos(1), "acme.tick", "acme.clock"));
        store.append(event("at-since", T0, "acme.tick", "acme.clock"));
        store.append(event("inside", T0.plusSeconds(30), "acme.tick", "acme.clock"));
        store.append(event("at-until", T0.plusSeconds(60), "acme.tick", "acme.clock"));

        EventFilter minute = EventFilter.between(T0, T0.plusSeconds(60));

        assertThat(store.scan(minute, null, 10).matched()).extracting(Event::id).containsExactly("inside", "at-since");
        assertThat(store.scan(ascending(minute), null, 10).matched()).extracting(Event::id).containsExactly("at-since", "inside");
    }

    @Test
    void scan_appliesTheFilter() {
        EventStore store = newEventStore(EventStore.SCAN_BUDGET);
        store.append(event("a", T0, "ferry.flow-run.Completed", "ferry.flow-run.r-1"));
        store.append(event("b", T0.plusSeconds(1), "ferry.flow-run.Failed", "ferry.flow-run.r-2"));
        store.append(event("c", T0.plusSeconds(2), "acme.table.refreshed", "acme.table.orders"));
        EventFilter completedOrFailed = new EventFilter(ALL.since(), ALL.until(), List.of("ferry.flow-run.*", "!ferry.flow-run.Failed"),
                List.of(), Map.of(), List.of(), false);

        assertThat(store.scan(completedOrFailed, null, 10).matched()).extracting(Event::id).containsExactly("a");
    }

    @Test
    void scan_examinesAtMostItsBudget_thenSaysWhereToGoOn() {
        EventStore store = newEventStore(3);
        for (int i = 0; i < 5; i++) store.append(event("miss-" + i, T0.plusSeconds(i), "acme.noise", "acme.clock"));
        store.append(event("hit", T0.plusSeconds(10), "acme.signal", "acme.clock"));
        EventFilter signals = new EventFilter(ALL.since(), ALL.until(), List.of("acme.signal"), List.of(), Map.of(), List.of(), true);

        EventStore.Scan first = store.scan(signals, null, 10);
        EventStore.Scan second = store.scan(signals, first.last(), 10);

        assertThat(first.matched()).isEmpty();
        assertThat(first.exhausted()).isFalse();
        assertThat(first.last().id()).isEqualTo("miss-2");
        assertThat(second.matched()).extracting(Event::id).containsExactly("hit");
        if (!second.exhausted()) { // a budget spent right at the end may not know it is the end: the next scan does
            EventStore.Scan third = store.scan(signals, second.last(), 10);
            assertThat(third.matched()).isEmpty();
            assertThat(third.exhausted()).isTrue();
        }
    }

    @Test
    void purge_dropsWhatOccurredBefore_andKeepsTheRest() {
        EventStore store = newEventStore(EventStore.SCAN_BUDGET);
        store.append(event("old", T0.minusSeconds(1), "acme.tick", "acme.clock"));
        store.append(event("kept", T0, "acme.tick", "acme.clock"));

        store.purge(T0);

        List<String> left = store.scan(ALL, null, 10).matched().stream().map(Event::id).toList();
        assertThat(left).isEqualTo(expiresOnItsOwn() ? List.of("kept", "old") : List.of("kept"));
    }

    private static List<Event> readAll(EventStore store, EventFilter filter, int pageSize) {
        List<Event> all = new ArrayList<>();
        EventPosition after = null;
        for (int pages = 0; pages < 20; pages++) {
            EventStore.Scan scan = store.scan(filter, after, pageSize);
            all.addAll(scan.matched());
            if (scan.exhausted()) return all;
            after = scan.last();
        }
        throw new AssertionError("the scan never came to an end");
    }

    private static EventFilter ascending(EventFilter f) {
        return new EventFilter(f.since(), f.until(), f.names(), f.resources(), f.labels(), f.related(), true);
    }

    protected static Event event(String id, Instant occurred, String name, String resourceId) {
        return new Event(id, occurred, name, Resource.of(resourceId, null), List.of(), null, null, occurred);
    }
}
