package dev.ferry.core.runs;

import static dev.ferry.core.testing.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RunLogs} adapter must do. An adapter's test subclasses this and supplies
 * {@link #newRunLogs()}; nothing else.
 */
public abstract class RunLogsContract {

    /** A fresh, empty store. Called once per test. */
    protected abstract RunLogs newRunLogs();

    protected RunLogs store;

    @BeforeEach
    void freshStore() {
        store = newRunLogs();
    }

    @Test
    void appendLogs_numbersLinesIncreasinglyPerRun_acrossAppends() {
        store.appendLogs("run-1", List.of(line("a"), line("b")));
        store.appendLogs("run-2", List.of(line("x")));
        store.appendLogs("run-1", List.of(line("c")));

        List<LogLine> run1 = store.logs("run-1", 0, 100);

        assertThat(run1).extracting(LogLine::message).containsExactly("a", "b", "c");
        assertThat(run1).extracting(LogLine::seq).isSorted().doesNotHaveDuplicates().allSatisfy(seq ->
                assertThat(seq).isPositive());
        assertThat(store.logs("run-2", 0, 100)).extracting(LogLine::message).containsExactly("x");
    }

    @Test
    void appendLogs_keepsTimestampStreamAndMessage_butAssignsItsOwnSeq() {
        LogLine sent = new LogLine(999, T0.plusMillis(7), "stderr", "boom \u2603 \"quoted\"");

        store.appendLogs("run-1", List.of(sent));

        LogLine stored = store.logs("run-1", 0, 10).get(0);
        assertThat(stored.timestamp()).isEqualTo(sent.timestamp());
        assertThat(stored.stream()).isEqualTo("stderr");
        assertThat(stored.message()).isEqualTo(sent.message());
        assertThat(store.logs("run-1", stored.seq(), 10)).isEmpty();
    }

    @Test
    void logs_areReadAfterASeq_oldestFirst_upToTheLimit() {
        List<LogLine> lines = new ArrayList<>();
        for (int i = 0; i < 10; i++) lines.add(line("line " + i));
        store.appendLogs("run-1", lines);
        List<LogLine> all = store.logs("run-1", 0, 100);

        List<LogLine> page = store.logs("run-1", all.get(3).seq(), 4);

        assertThat(page).containsExactlyElementsOf(all.subList(4, 8));
        assertThat(store.logs("run-1", all.get(9).seq(), 4)).isEmpty();
    }

    @Test
    void logs_areEmpty_forARunWithoutLines() {
        store.appendLogs("run-1", List.of());

        assertThat(store.logs("run-1", 0, 10)).isEmpty();
    }

    private static LogLine line(String message) {
        return new LogLine(0, T0, "stdout", message);
    }
}
