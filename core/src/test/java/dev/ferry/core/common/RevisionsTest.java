package dev.ferry.core.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RevisionsTest {
    /** A record with a revision, as the stores keep them. */
    record Doc(String text, long revision) {}

    @Test
    void update_appliesTheChangeAgainToWhatIsStored_whenTheWriteWasStale() {
        List<Doc> written = new ArrayList<>();
        Doc stored = new Doc("theirs", 2);

        Revisions.Done<Doc> done = Revisions.update(new Doc("read", 1), d -> new Doc(d.text() + "+mine", d.revision()),
                next -> {
                    written.add(next);
                    return next.revision() == stored.revision() ? new Write.Applied<>(new Doc(next.text(), 3))
                            : new Write.Stale<>(stored);
                }, IllegalStateException::new);

        assertThat(written).containsExactly(new Doc("read+mine", 1), new Doc("theirs+mine", 2));
        assertThat(done.before()).isEqualTo(stored);
        assertThat(done.after()).isEqualTo(new Doc("theirs+mine", 3));
        assertThat(done.changed()).isTrue();
    }

    @Test
    void update_writesNothing_whenTheChangeChangesNothing() {
        Doc read = new Doc("same", 1);

        Revisions.Done<Doc> done = Revisions.update(read, d -> d, next -> {
            throw new AssertionError("nothing to write");
        }, IllegalStateException::new);

        assertThat(done.changed()).isFalse();
        assertThat(done.after()).isSameAs(read);
    }

    @Test
    void update_throwsTheGoneError_whenTheRecordWasDeleted() {
        assertThatThrownBy(() -> Revisions.update(new Doc("read", 1), d -> new Doc("x", d.revision()),
                next -> new Write.Stale<>(null), () -> BadInput.notFound("doc", "d-1")))
                .isInstanceOf(BadInput.class).hasMessageContaining("not found");
    }

    @Test
    void update_givesUpWithContention_whenTheRecordNeverStopsChanging() {
        int[] attempts = {0};

        assertThatThrownBy(() -> Revisions.update(new Doc("read", 1), d -> new Doc("mine", d.revision()), next -> {
            attempts[0]++;
            return new Write.Stale<>(new Doc("theirs", next.revision() + 1));
        }, IllegalStateException::new)).isInstanceOf(Contention.class).hasMessageContaining("kept changing");

        assertThat(attempts[0]).isEqualTo(Revisions.MAX_ATTEMPTS);
    }
}
