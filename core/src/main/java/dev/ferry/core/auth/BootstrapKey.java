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

    public boolean configured() {
        return hash != null;
    }

    /** Constant-time: how much of a guess matched must not show in the response time. */
    boolean matches(String hashHex) {
        return hash != null && MessageDigest.isEqual(hash, HexFormat.of().parseHex(hashHex));
    }
}
