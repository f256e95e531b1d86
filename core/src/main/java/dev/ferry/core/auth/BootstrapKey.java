package dev.ferry.core.auth;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The administrator key a server is configured with, outside the {@link ApiKeys} store: the
 * plaintext {@code --api-key} / {@code FERRY_SERVER_API_KEY} of the embedded server, or the
 * SHA-256 hex {@code FERRY_ADMIN_KEY_HASH} of an AWS stack. It acts as ADMIN, is never stored,
 * and is how the first stored keys get made.
 */
public final class BootstrapKey {
    private static final BootstrapKey NONE = new BootstrapKey(null);
    private final byte[] hash;

    private BootstrapKey(byte[] hash) {
        this.hash = hash;
    }

    public static BootstrapKey none() {
        return NONE;
    }

    /** From the key itself; null or blank means none. */
    public static BootstrapKey ofKey(String key) {
        if (key == null || key.isBlank()) return NONE;
        return new BootstrapKey(HexFormat.of().parseHex(ApiKeyService.hash(key.strip())));
    }

    /**
     * From the key's SHA-256 as 64 hex characters ({@code ferry api-key generate} prints it);
     * null or blank means none.
     *
     * @param setting the setting's name, for the error message
     */
    public static BootstrapKey ofHash(String hex, String setting) {
        if (hex == null || hex.isBlank()) return NONE;
        String h = hex.strip().toLowerCase(Locale.ROOT);
        if (!h.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException(setting + " must be the SHA-256 of the admin key as 64 hex characters "
                    + "(see 'ferry api-key generate'); got " + h.length() + " characters"
                    + (h.startsWith(ApiKeyService.KEY_PREFIX) ? " that look like the key itself" : ""));
        }
        return new BootstrapKey(HexFormat.of().parseHex(h));
    }

    /** What a configured admin key must be worth, in bits: as much as a key Ferry makes is worth twice over. */
    public static final int MIN_BITS = 128;

    /**
     * Refuses a configured admin key that is too easy to guess: fewer than {@value #MIN_BITS} bits
     * by the estimate below, or fewer than 10 different characters. The estimate is length times
     * log2 of the alphabet the key's character classes span (lower case, upper case, digits,
     * others): generous to words, strict with short keys; {@code openssl rand -hex 32} and
     * {@code ferry api-key generate} pass with room to spare.
     *
     * @param setting the option or variable the key came from, for the message
     */
    public static void requireStrong(String key, String setting) {
        String k = key.strip();
        int alphabet = 0;
        if (k.chars().anyMatch(c -> c >= 'a' && c <= 'z')) alphabet += 26;
        if (k.chars().anyMatch(c -> c >= 'A' && c <= 'Z')) alphabet += 26;
        if (k.chars().anyMatch(c -> c >= '0' && c <= '9')) alphabet += 10;
        if (k.chars().anyMatch(c -> !Character.isLetterOrDigit(c) || c > 127)) alphabet += 32;
        double bits = k.codePointCount(0, k.length()) * (Math.log(Math.max(alphabet, 1)) / Math.log(2));
        if (bits < MIN_BITS || k.chars().distinct().count() < 10) {
            throw new IllegalArgumentException(setting + " is too easy to guess (about " + (int) bits + " bits; at least " + MIN_BITS
                    + " are needed): make one with 'ferry api-key generate' or 'openssl rand -hex 32'");
        }
    }

    public boolean configured() {
        return hash != null;
    }

    /** Constant-time: how much of a guess matched must not show in the response time. */
    boolean matches(String hashHex) {
        return hash != null && MessageDigest.isEqual(hash, HexFormat.of().parseHex(hashHex));
    }
}
