package dev.ferry.core.common;

/** Sizes of text as UTF-8, without encoding it: log quotas and batch limits count bytes on every line. */
public final class Utf8 {
    private Utf8() {}

    /** The bytes {@code s} takes in UTF-8 (0 for null); a lone surrogate counts as the 3 bytes of its replacement. */
    public static long length(String s) {
        if (s == null) return 0;
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) n++;
            else if (c < 0x800) n += 2;
            else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else n += 3;
        }
        return n;
    }
}
