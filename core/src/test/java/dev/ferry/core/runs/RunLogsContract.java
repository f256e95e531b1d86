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

    private static final LogQuota QUOTA = LogQuota.DEFAULT;

    protected RunLogs store;

    @BeforeEach
    void freshStore() {
        store = newRunLogs();
    }

    @Test
    void appendLogs_numbersLinesIncreasinglyPerRun_acrossAppends() {
        store.appendLogs("run-1", List.of(line("a"), line("b")), QUOTA);
        store.appendLogs("run-2", List.of(line("x")), QUOTA);
        store.appendLogs("run-1", List.of(line("c")), QUOTA);

        List<LogLine> run1 = read("run-1", 0, 100);

        assertThat(run1).extracting(LogLine::message).containsExactly("a", "b", "c");
        assertThat(run1).extracting(LogLine::seq).isSorted().doesNotHaveDuplicates().allSatisfy(seq ->
                assertThat(seq).isPositive());
        assertThat(read("run-2", 0, 100)).extracting(LogLine::message).containsExactly("x");
    }

    @Test
    void appendLogs_keepsTimestampStreamAndMessage_butAssignsItsOwnSeq() {
        LogLine sent = new LogLine(999, T0.plusMillis(7), "stderr", "boom \u2603 \"quoted\"");

        store.appendLogs("run-1", List.of(sent), QUOTA);

        LogLine stored = read("run-1", 0, 10).get(0);
        assertThat(stored.timestamp()).isEqualTo(sent.timestamp());
        assertThat(stored.stream()).isEqualTo("stderr");
        assertThat(stored.message()).isEqualTo(sent.message());
        assertThat(read("run-1", stored.seq(), 10)).isEmpty();
    }

    @Test
    void logs_areReadAfterASeq_oldestFirst_upToTheLimit() {
        List<LogLine> lines = new ArrayList<>();
        for (int i = 0; i < 10; i++) lines.add(line("line " + i));
        store.appendLogs("run-1", lines, QUOTA);
        List<LogLine> all = read("run-1", 0, 100);

        List<LogLine> page = read("run-1", all.get(3).seq(), 4);

        assertThat(page).containsExactlyElementsOf(all.subList(4, 8));
        assertThat(read("run-1", all.get(9).seq(), 4)).isEmpty();
    }

    @Test
    void logs_areEmpty_forARunWithoutLines() {
        store.appendLogs("run-1", List.of(), QUOTA);

        assertThat(read("run-1", 0, 10)).isEmpty();
    }

    @Test
    void appendLogs_pastTheLineQuota_dropsTheRest_andTheLogEndsWithOneMarkerCountingThem() {
        LogQuota quota = new LogQuota(5, 1_000_000);
        List<LogLine> lines = new ArrayList<>();
        for (int i = 0; i < 4; i++) lines.add(line("line " + i));
        store.appendLogs("run-1", lines, quota);
        store.appendLogs("run-1", List.of(line("four"), line("five"), line("sixth")), quota);
        store.appendLogs("run-1", List.of(line("later")), quota);

        LogSlice all = store.logs("run-1", 0, 100);

        assertThat(all.truncated()).isTrue();
        assertThat(all.lines()).extracting(LogLine::message).hasSize(6).startsWith("line 0", "line 1", "line 2", "line 3", "four");
        LogLine marker = all.lines().get(5);
        assertThat(marker.stream()).isEqualTo("worker");
        assertThat(marker.message()).contains("truncated").contains("3 more lines (14 bytes) were dropped");
        assertThat(marker.seq()).isGreaterThan(all.lines().get(4).seq());
        assertThat(store.logs("run-1", marker.seq(), 100).lines()).as("nothing follows the marker").isEmpty();
        assertThat(store.logs("run-1", all.lines().get(4).seq(), 100).lines()).containsExactly(marker);
        assertThat(store.logs("run-1", 0, 5).lines()).as("a full page leaves the marker to the next")
                .extracting(LogLine::message).doesNotContain(marker.message());
        assertThat(store.logs("run-1", 0, 5).truncated()).isTrue();
        assertThat(store.logs("run-2", 0, 5).truncated()).isFalse();
    }

    @Test
    void appendLogs_pastTheByteQuota_keepsTheLinesThatFit_andNoLaterOneEvenIfSmall() {
        LogQuota quota = new LogQuota(1_000, 10);
        store.appendLogs("run-1", List.of(line("ééé"), line("1234"), line("12345"), line("1")), quota);
        store.appendLogs("run-1", List.of(line("")), quota);

        LogSlice all = store.logs("run-1", 0, 100);

        assertThat(all.lines()).extracting(LogLine::message).hasSize(3).startsWith("ééé", "1234");
        assertThat(all.lines().get(2).message()).contains("3 more lines (6 bytes) were dropped");
        assertThat(all.truncated()).isTrue();
    }

    @Test
    void aLogWithinItsQuota_isNotTruncated_andHasNoMarker() {
        LogQuota quota = new LogQuota(3, 3);
        store.appendLogs("run-1", List.of(line("a"), line("b"), line("c")), quota);

        LogSlice all = store.logs("run-1", 0, 100);

        assertThat(all.truncated()).isFalse();
        assertThat(all.lines()).extracting(LogLine::message).containsExactly("a", "b", "c");
    }

    private List<LogLine> read(String runId, long afterSeq, int limit) {
        LogSlice slice = store.logs(runId, afterSeq, limit);
        assertThat(slice.truncated()).isFalse();
        return slice.lines();
    }

    private static LogLine line(String message) {
        return new LogLine(0, T0, "stdout", message);
    }
}
