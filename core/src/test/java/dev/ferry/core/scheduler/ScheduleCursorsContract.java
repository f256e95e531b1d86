package dev.ferry.core.scheduler;

import static dev.ferry.core.testing.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

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
        store.putCursor("d1", "nightly", T0);
        store.putCursor("d1", "nightly", T0.plusSeconds(86_400));
        store.putCursor("d1", "hourly", T0.plusSeconds(60));
        store.putCursor("d2", "nightly", T0.plusSeconds(5));
        assertThat(store.cursor("d1", "nightly")).contains(T0.plusSeconds(86_400));
        store.deleteCursor("d1", "nightly");
        store.deleteCursor("d9", "never-written");
        assertThat(store.cursor("d1", "nightly")).isEmpty();
        assertThat(store.cursor("d1", "hourly")).contains(T0.plusSeconds(60));
        assertThat(store.cursor("d2", "nightly")).contains(T0.plusSeconds(5));
    }
}
