package dev.ferry.cli.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutputPumpTest {

    private static List<String> lines(byte[] input) {
        List<String> lines = new ArrayList<>();
        new OutputPump(new ByteArrayInputStream(input), lines::add).run();
        return lines;
    }

    @Test
    void splitsLines_dropsCarriageReturns_andKeepsALastLineWithoutNewline() {
        assertThat(lines("one\r\ntwo\n\nthree".getBytes(StandardCharsets.UTF_8)))
                .containsExactly("one", "two", "", "three");
    }

    @Test
    void aHugeLine_isCutAt64KiB_andMarked_andTheNextLineIsIntact() {
        String huge = "x".repeat(200_000);
        List<String> lines = lines((huge + "\nafter\n").getBytes(StandardCharsets.UTF_8));

        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).endsWith(OutputPump.TRUNCATED).startsWith("xxxx");
        assertThat(lines.get(0).getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(64 * 1024);
        assertThat(lines.get(1)).isEqualTo("after");
    }

    @Test
    void aCutNeverSplitsAMultiByteCharacter() {
        String huge = "é".repeat(100_000); // two bytes each; the cut lands mid-character half of the time
        String line = lines(huge.getBytes(StandardCharsets.UTF_8)).get(0);

        String kept = line.substring(0, line.length() - OutputPump.TRUNCATED.length());
        assertThat(kept).matches("é+");
    }

    @Test
    void utf8Boundary_backsOffAnIncompleteSequence() {
        byte[] euro = "a€".getBytes(StandardCharsets.UTF_8); // 61 E2 82 AC
        assertThat(OutputPump.utf8Boundary(euro, 4)).isEqualTo(4);
        assertThat(OutputPump.utf8Boundary(euro, 3)).isEqualTo(1);
        assertThat(OutputPump.utf8Boundary(euro, 2)).isEqualTo(1);
        assertThat(OutputPump.utf8Boundary(euro, 1)).isEqualTo(1);
    }
}
