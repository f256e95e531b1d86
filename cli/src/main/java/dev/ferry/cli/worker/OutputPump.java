package dev.ferry.cli.worker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Reads one output pipe of a flow process to its end, line by line. It never stops reading, so
 * the child can never block on a full pipe, and it holds at most one line (capped) in memory.
 */
final class OutputPump implements Runnable {
    static final String TRUNCATED = "… [line truncated]";
    // The API takes messages of up to 64 KiB; the cut line plus the marker must still fit.
    static final int MAX_LINE_BYTES = 64 * 1024 - 64;

    private final InputStream in;
    private final Consumer<String> lines;

    OutputPump(InputStream in, Consumer<String> lines) {
        this.in = in;
        this.lines = lines;
    }

    @Override
    public void run() {
        byte[] buffer = new byte[16 * 1024];
        byte[] line = new byte[MAX_LINE_BYTES];
        int length = 0;
        boolean truncated = false;
        try (in) {
            int n;
            while ((n = in.read(buffer)) != -1) {
                for (int i = 0; i < n; i++) {
                    byte b = buffer[i];
                    if (b == '\n') {
                        emit(line, length, truncated);
                        length = 0;
                        truncated = false;
                    } else if (length < MAX_LINE_BYTES) {
                        line[length++] = b;
                    } else {
                        truncated = true;
                    }
                }
            }
        } catch (IOException e) {
            // The pipe closed under us (the process is gone); what was read is all there is.
        }
        if (length > 0 || truncated) emit(line, length, truncated);
    }

    private void emit(byte[] line, int length, boolean truncated) {
        int end = truncated ? utf8Boundary(line, length) : length;
        if (!truncated && end > 0 && line[end - 1] == '\r') end--;
        String text = new String(line, 0, end, StandardCharsets.UTF_8);
        lines.accept(truncated ? text + TRUNCATED : text);
    }

    /** The largest prefix of {@code line[0..length)} that does not end inside a UTF-8 sequence. */
    static int utf8Boundary(byte[] line, int length) {
        int start = length;
        // Walk back over continuation bytes (10xxxxxx) to the lead byte of the last character.
        while (start > 0 && start > length - 4 && (line[start - 1] & 0xC0) == 0x80) start--;
        if (start == 0) return length;
        int lead = line[start - 1] & 0xFF;
        int needed = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        return length - (start - 1) >= needed ? length : start - 1;
    }
}
