package dev.ferry.cli.output;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;

/**
 * Text from the API (log lines, run and deployment names, state messages, problem details) made
 * safe to print: a terminal acts on the control characters in what it is given, so a flow that
 * logs an escape sequence could retitle the window, rewrite lines already shown, hide text or
 * answer the terminal's queries as if typed. Every control character (C0, DEL, C1) but tab and
 * newline is shown as {@code \xNN} instead; everything else is printed as it is.
 */
public final class Printable {

    private Printable() {}

    /** {@code text} with its control characters but tab and newline shown as {@code \xNN}; null stays null. */
    public static String text(String text) {
        if (text == null) return null;
        int i = 0;
        while (i < text.length() && !isControl(text.charAt(i))) i++;
        if (i == text.length()) return text;
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, i);
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            if (isControl(c)) out.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xF, 16));
            else out.append(c);
        }
        return out.toString();
    }

    static boolean isControl(char c) {
        return (c < 0x20 && c != '\t' && c != '\n') || (c >= 0x7F && c <= 0x9F);
    }

    /**
     * JSON output's escapes: Jackson writes C0 characters as {@code \\u00NN} already; these add DEL
     * and C1 (an 8-bit CSI, U+009B, starts an escape sequence on some terminals), still valid JSON.
     */
    public static final CharacterEscapes JSON = new CharacterEscapes() {
        private final int[] escapes = standardAsciiEscapesForJSON();

        @Override
        public int[] getEscapeCodesForAscii() {
            return escapes;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return ch == 0x7F || (ch >= 0x80 && ch <= 0x9F) ? new SerializedString(String.format("\\u%04x", ch)) : null;
        }
    };

    static {
        // DEL is ASCII: it needs a custom entry to reach getEscapeSequence.
        JSON.getEscapeCodesForAscii()[0x7F] = CharacterEscapes.ESCAPE_CUSTOM;
    }
}
