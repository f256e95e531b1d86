package dev.ferry.core.scheduler;

import static dev.ferry.core.testing.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.common.Page;
import dev.ferry.core.scheduler.ScheduleCursors.Cursor;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ScheduleCursors} adapter must do. An adapter's test subclasses this and
 * supplies {@link #newCursors()}; nothing else.
 */
public abstract class ScheduleCursorsContract {

    /** A fresh, empty store. Called once per test. */
    protected abstract ScheduleCursors newCursors();

    protected ScheduleCursors store;

    @BeforeEach
    void freshStore() {
        store = newCursors();
    }

    @Test
    void cursors_areWrittenReplacedAndDeleted_perSchedule() {
        assertThat(store.cursor("d1", "nightly")).isEmpty();
        store.putCursor("d1", "nightly", new Cursor(T0, T0.plusSeconds(86_400)));
        store.putCursor("d1", "nightly", new Cursor(T0.plusSeconds(86_400), T0.plusSeconds(2 * 86_400)));
        store.putCursor("d1", "hourly", new Cursor(T0.plusSeconds(60), null));
        store.putCursor("d2", "nightly", new Cursor(T0.plusSeconds(5), T0.plusSeconds(86_400)));
        assertThat(store.cursor("d1", "nightly")).contains(new Cursor(T0.plusSeconds(86_400), T0.plusSeconds(2 * 86_400)));
        store.deleteCursor("d1", "nightly");
        store.deleteCursor("d9", "never-written");
        assertThat(store.cursor("d1", "nightly")).isEmpty();
        assertThat(store.cursor("d1", "hourly")).contains(new Cursor(T0.plusSeconds(60), null));
        assertThat(store.cursor("d2", "nightly")).contains(new Cursor(T0.plusSeconds(5), T0.plusSeconds(86_400)));
    }

    @Test
    void expected_findsTheSchedulesWhoseNextFiringLiesInTheWindow_only() {
        store.putCursor("d1", "hourly", new Cursor(T0, T0.plusSeconds(3600)));
        store.putCursor("d2", "hourly", new Cursor(T0, T0.plusSeconds(7200)));
        store.putCursor("d3", "ended", new Cursor(T0, null));
        store.putCursor("d4", "moved", new Cursor(T0, T0.plusSeconds(3600)));
        store.putCursor("d4", "moved", new Cursor(T0.plusSeconds(3600), T0.plusSeconds(3 * 3600))); // fired: moved on
        store.putCursor("d5", "gone", new Cursor(T0, T0.plusSeconds(3600)));
        store.deleteCursor("d5", "gone");

        assertThat(all(T0, T0.plusSeconds(3600))).containsExactly("d1");
        assertThat(all(T0.plusSeconds(3600), T0.plusSeconds(7200))).containsExactly("d2");
        assertThat(all(T0.minusSeconds(1), T0.plusSeconds(3599))).isEmpty();
        assertThat(all(T0.plusSeconds(3 * 3600 - 1), T0.plusSeconds(3 * 3600))).containsExactly("d4");
    }

    @Test
    void expected_pagesThroughEverySchedule_withoutLossOrRepeat() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ids.add("d" + i);
            // the same instant for several, and nanoseconds apart for the others: both must page
            store.putCursor("d" + i, "s", new Cursor(T0, T0.plusSeconds(60).plusNanos(i % 3)));
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            Page<String> page = store.expected(T0, T0.plusSeconds(61), 2, cursor);
            assertThat(page.items()).hasSizeLessThanOrEqualTo(2);
            seen.addAll(page.items());
            cursor = page.next();
        } while (cursor != null);
        assertThat(seen).containsExactlyInAnyOrderElementsOf(ids);
    }

    private List<String> all(Instant after, Instant until) {
        List<String> out = new ArrayList<>();
        String cursor = null;
        do {
            Page<String> page = store.expected(after, until, 100, cursor);
            out.addAll(page.items());
            cursor = page.next();
        } while (cursor != null);
        return out;
    }
}
