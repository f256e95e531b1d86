package dev.ferry.core.scheduler;

import dev.ferry.core.common.Page;
import dev.ferry.core.testing.PageCursors;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** {@link ScheduleCursors} in memory, for core's unit tests; {@link InMemoryScheduleCursorsTest} holds it to the contract. */
public final class InMemoryScheduleCursors implements ScheduleCursors {
    private static final String EXPECTED = "schedule_cursors_expected";
    private final Map<ScheduleId, Cursor> cursors = new ConcurrentHashMap<>();

    private record ScheduleId(String deploymentId, String slug) {
        String key() {
            return deploymentId + "/" + slug;
        }
    }

    @Override
    public Optional<Cursor> cursor(String deploymentId, String slug) {
        return Optional.ofNullable(cursors.get(new ScheduleId(deploymentId, slug)));
    }

    @Override
    public void putCursor(String deploymentId, String slug, Cursor cursor) {
        cursors.put(new ScheduleId(deploymentId, slug), cursor);
    }

    @Override
    public void deleteCursor(String deploymentId, String slug) {
        cursors.remove(new ScheduleId(deploymentId, slug));
    }

    @Override
    public Page<String> expected(Instant after, Instant until, int limit, String cursor) {
        String from = cursor == null ? null : PageCursors.decode(cursor, EXPECTED, key -> key.get(0));
        List<ScheduleId> rest = cursors.entrySet().stream()
                .filter(e -> e.getValue().next() != null && e.getValue().next().isAfter(after) && !e.getValue().next().isAfter(until))
                .map(Map.Entry::getKey)
                .filter(id -> from == null || id.key().compareTo(from) > 0)
                .sorted(Comparator.comparing(ScheduleId::key))
                .toList();
        Page<ScheduleId> page = PageCursors.page(rest, limit, last -> PageCursors.encode(EXPECTED, last.key()));
        return new Page<>(page.items().stream().map(ScheduleId::deploymentId).toList(), page.next());
    }
}
