package dev.ferry.core.janitor;

import static dev.ferry.core.testing.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Checkpoints} adapter must do. An adapter's test subclasses this and supplies
 * {@link #newCheckpoints()}; nothing else.
 */
public abstract class CheckpointsContract {

    /** A fresh, empty store. Called once per test. */
    protected abstract Checkpoints newCheckpoints();

    protected Checkpoints store;

    @BeforeEach
    void freshStore() {
        store = newCheckpoints();
    }

    @Test
    void putCheckpoint_writes_whenWhatIsStoredIsStillWhatTheWriterSaw() {
        assertThat(store.checkpoint("janitor.swept")).isEmpty();

        assertThat(store.putCheckpoint("janitor.swept", null, T0)).isTrue();
        assertThat(store.putCheckpoint("janitor.swept", T0, T0.plusSeconds(60))).isTrue();

        assertThat(store.checkpoint("janitor.swept")).contains(T0.plusSeconds(60));
        assertThat(store.checkpoint("janitor.healed")).isEmpty();
    }

    @Test
    void putCheckpoint_writesNothing_whenAnotherWriterMovedItMeanwhile() {
        store.putCheckpoint("janitor.swept", null, T0);
        store.putCheckpoint("janitor.swept", T0, T0.plusSeconds(60)); // the other janitor

        assertThat(store.putCheckpoint("janitor.swept", T0, T0.plusSeconds(30))).isFalse();
        assertThat(store.putCheckpoint("janitor.swept", null, T0.plusSeconds(30))).as("one is stored").isFalse();
        assertThat(store.putCheckpoint("janitor.healed", T0, T0.plusSeconds(30))).as("none is stored").isFalse();

        assertThat(store.checkpoint("janitor.swept")).contains(T0.plusSeconds(60));
        assertThat(store.checkpoint("janitor.healed")).isEmpty();
    }
}
