package dev.ferry.core.common;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a command line the way a POSIX shell splits words, without running a shell: quotes and
 * backslashes are honoured, nothing is expanded (no variables, globs or pipes). The one splitter
 * for every pool type, so a command means the same on a process worker and in an ECS task.
 */
public final class ShellWords {
    private ShellWords() {}

    /**
     * The words of {@code line}; none for a blank line.
     *
     * @throws IllegalArgumentException worded to follow the thing's name: "has an unclosed single quote"
     */
    public static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote == '\'') {
                if (c == '\'') quote = 0;
                else word.append(c);
            } else if (quote == '"') {
                if (c == '"') {
                    quote = 0;
                } else if (c == '\\' && i + 1 < line.length() && "\"\\$`\n".indexOf(line.charAt(i + 1)) >= 0) {
                    word.append(line.charAt(++i));
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (c == '\\') {
                if (i + 1 == line.length()) throw new IllegalArgumentException("ends with a lone backslash");
                word.append(line.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (quote != 0) throw new IllegalArgumentException("has an unclosed " + (quote == '"' ? "double" : "single") + " quote");
        if (inWord) words.add(word.toString());
        return words;
    }
}
