package dev.ferry.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Run-scoped tokens, {@code ferry_run_<runId>_<HMAC-SHA256 hex>}: what a flow's process gets as
 * its API key instead of the worker's own. Nothing is stored per token; the server's secret
 * ({@link ApiKeys#secret()}) signs the run id, so every server instance sharing the storage
 * verifies them. {@link Access} lets one through only for its own run's state, heartbeat, logs
 * and reads.
 */
public final class RunTokens {
    public static final String PREFIX = "ferry_run_";
    static final int SECRET_BYTES = 32;
    private static final int MAC_HEX_CHARS = 64;
    private static final String ALGORITHM = "HmacSHA256";
    /** Domain separation: the secret signs nothing else today, but a token must never double as another signature. */
    private static final String PURPOSE = "ferry run token v1:";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Supplier<byte[]> source;
    private volatile byte[] secret;

    private RunTokens(Supplier<byte[]> source) {
        this.source = source;
    }

    /** Tokens signed with {@code keys.secret()}, fetched (or created) on first use, then kept. */
    public static RunTokens of(ApiKeys keys) {
        return new RunTokens(keys::secret);
    }

    /** Tokens signed with a fixed secret (tests). */
    public static RunTokens withSecret(byte[] secret) {
        byte[] copy = secret.clone();
        return new RunTokens(() -> copy);
    }

    /** No tokens: claims carry none and none verifies (a server wired without an {@link ApiKeys} store). */
    public static RunTokens none() {
        return new RunTokens(() -> null);
    }

    /** A new random secret, for {@link ApiKeys} adapters to store on first use. */
    public static byte[] newSecret() {
        byte[] bytes = new byte[SECRET_BYTES];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    /** The token for {@code runId}, or null when this server has no tokens. */
    public String mint(String runId) {
        byte[] key = secret();
        if (key == null) return null;
        return PREFIX + runId + "_" + HexFormat.of().formatHex(mac(key, runId));
    }

    /** Whether {@code token} has a run token's shape (a random API key never has: it is too short and has no hex tail). */
    public static boolean looksLikeRunToken(String token) {
        return parse(token) != null;
    }

    /** The run the token belongs to, when its signature is right. */
    public Optional<String> verify(String token) {
        String[] parts = parse(token);
        byte[] key = secret();
        if (parts == null || key == null) return Optional.empty();
        byte[] given = HexFormat.of().parseHex(parts[1]);
        return MessageDigest.isEqual(mac(key, parts[0]), given) ? Optional.of(parts[0]) : Optional.empty();
    }

    /** {runId, mac hex}, or null when it isn't shaped like a run token. */
    private static String[] parse(String token) {
        if (token == null || !token.startsWith(PREFIX)) return null;
        int split = token.lastIndexOf('_');
        if (split <= PREFIX.length()) return null;
        String runId = token.substring(PREFIX.length(), split);
        String mac = token.substring(split + 1);
        if (mac.length() != MAC_HEX_CHARS) return null;
        for (int i = 0; i < mac.length(); i++) {
            char c = mac.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return null;
        }
        return new String[] {runId, mac};
    }

    private byte[] secret() {
        byte[] s = secret;
        if (s == null) {
            synchronized (this) {
                s = secret;
                if (s == null) {
                    s = source.get();
                    if (s != null && s.length < 16) {
                        throw new IllegalStateException("the run-token secret is " + s.length + " bytes; at least 16 are needed");
                    }
                    secret = s;
                }
            }
        }
        return s;
    }

    private static byte[] mac(byte[] key, String runId) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return mac.doFinal((PURPOSE + runId).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
