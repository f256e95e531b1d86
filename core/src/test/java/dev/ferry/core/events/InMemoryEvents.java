package dev.ferry.core.events;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/** {@link EventStore} and its {@link EventFeed} in memory, for core's tests. */
public final class InMemoryEvents implements EventStore, EventFeed {
    private final List<Event> stored = new ArrayList<>();
    private final NavigableMap<EventPosition, Event> byPosition = new TreeMap<>();
    private final Map<String, Event> byId = new HashMap<>();
    private final int scanBudget;

    public InMemoryEvents() {
        this(SCAN_BUDGET);
    }

    public InMemoryEvents(int scanBudget) {
        this.scanBudget = scanBudget;
    }

    @Override
    public synchronized boolean append(Event event) {
        if (byId.putIfAbsent(event.id(), event) != null) return false;
        byPosition.put(EventPosition.of(event), event);
        stored.add(event);
        return true;
    }

    @Override
    public synchronized Scan scan(EventFilter filter, EventPosition after, int limit) {
        NavigableMap<EventPosition, Event> range = byPosition.subMap(new EventPosition(filter.since(), ""), true,
                new EventPosition(filter.until(), ""), false);
        if (after != null) range = filter.ascending() ? range.tailMap(after, false) : range.headMap(after, false);
        if (!filter.ascending()) range = range.descendingMap();
        List<Event> matched = new ArrayList<>();
        EventPosition last = null;
        int examined = 0;
        for (Map.Entry<EventPosition, Event> entry : range.entrySet()) {
            if (matched.size() == limit || examined == scanBudget) return new Scan(matched, last, false);
            examined++;
            last = entry.getKey();
            if (filter.matches(entry.getValue())) matched.add(entry.getValue());
        }
        return new Scan(matched, last, true);
    }

    @Override
    public synchronized Batch after(String position, int limit) {
        int from = position == null ? 0 : Integer.parseInt(position);
        int to = Math.min(stored.size(), from + limit);
        return new Batch(stored.subList(from, to), Integer.toString(to));
    }

    @Override
    public synchronized void purge(Instant before) {
        NavigableMap<EventPosition, Event> old = byPosition.headMap(new EventPosition(before, ""), false);
        old.values().forEach(e -> byId.remove(e.id()));
        old.clear();
    }
}
