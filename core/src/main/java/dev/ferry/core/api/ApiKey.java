package dev.ferry.core.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The server's API key check. Only the SHA-256 hash of the key is kept; comparison is
 * constant-time. With no key configured every request is let in (the embedded server then
 * binds loopback only).
 */
public final class ApiKey {
    private final byte[] hash;

    private ApiKey(byte[] hash) {
        this.hash = hash;
    }

    public static ApiKey none() {
        return new ApiKey(null);
    }

    public static ApiKey of(String key) {
        if (key == null || key.isBlank()) return none();
        return new ApiKey(sha256(key));
    }

    public boolean required() {
        return hash != null;
    }

    public boolean admits(String authorizationHeader) {
        if (hash == null) return true;
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) return false;
        return MessageDigest.isEqual(hash, sha256(authorizationHeader.substring(7).strip()));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
