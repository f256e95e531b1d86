package dev.ferry.core.triggers;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/** {@link TriggerStore} in memory, for core's tests. */
public final class InMemoryTriggerStore implements TriggerStore {
    private record Stored(Entry entry, Instant expires) {}

    private final Map<String, NavigableMap<String, Stored>> groups = new HashMap<>();

    @Override
    public synchronized Optional<Entry> get(Key key) {
        Stored s = find(key);
        return s == null ? Optional.empty() : Optional.of(s.entry());
    }

    @Override
    public synchronized boolean commit(List<Change> changes) {
        if (changes.size() > MAX_CHANGES) throw new IllegalArgumentException("a commit holds at most " + MAX_CHANGES + " changes");
        for (Change c : changes) {
            Stored s = find(c.key());
            boolean holds = switch (c.kind()) {
                case CREATE -> s == null;
                case REPLACE, DELETE -> s != null && s.entry().revision() == c.expectedRevision();
                case PUT -> true;
            };
            if (!holds) return false;
        }
        for (Change c : changes) {
            NavigableMap<String, Stored> group = groups.computeIfAbsent(c.key().group(), g -> new TreeMap<>());
            switch (c.kind()) {
                case CREATE, PUT -> group.put(c.key().item(), new Stored(new Entry(c.key(), 1, c.doc(), c.due()), c.expires()));
                case REPLACE -> group.put(c.key().item(),
                        new Stored(new Entry(c.key(), c.expectedRevision() + 1, c.doc(), c.due()), c.expires()));
                case DELETE -> group.remove(c.key().item());
            }
        }
        return true;
    }

    @Override
    public synchronized List<Entry> scan(String group, String after, boolean descending, int limit) {
        NavigableMap<String, Stored> items = groups.getOrDefault(group, new TreeMap<>());
        if (after != null) items = descending ? items.headMap(after, false) : items.tailMap(after, false);
        if (descending) items = items.descendingMap();
        return items.values().stream().limit(limit).map(Stored::entry).toList();
    }

    @Override
    public synchronized List<Entry> due(Instant by, int limit) {
        List<Entry> due = new ArrayList<>();
        groups.values().forEach(g -> g.values().forEach(s -> {
            if (s.entry().due() != null && !s.entry().due().isAfter(by)) due.add(s.entry());
        }));
        due.sort(Comparator.comparing(Entry::due));
        return due.size() > limit ? due.subList(0, limit) : due;
    }

    @Override
    public synchronized void purge(Instant now) {
        groups.values().forEach(g -> g.values().removeIf(s -> s.expires() != null && !s.expires().isAfter(now)));
    }

    private Stored find(Key key) {
        NavigableMap<String, Stored> group = groups.get(key.group());
        return group == null ? null : group.get(key.item());
    }
}
