package dev.ferry.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Run-scoped tokens, {@code ferry_run_<runId>_<claimed>_<claimer>_<HMAC-SHA256 hex>}: what a
 * flow's process gets as its API key instead of the worker's own. A token is bound to one claim
 * of its run ({@code claimed}, the epoch nanoseconds of the run's Pending state it was minted
 * for) and to the key that claimed it ({@code claimer}, that key's hash; {@code -} when Ferry
 * claimed it itself). Nothing is stored per token; the server's secret ({@link ApiKeys#secret()})
 * signs all three, so every server instance sharing the storage verifies them. {@link Access}
 * lets one through only for its own run's current attempt, until a grace period after the run
 * ended; {@link ApiKeyService} turns it away once its claimer's key is revoked.
 */
public final class RunTokens {
    public static final String PREFIX = "ferry_run_";
    static final int SECRET_BYTES = 32;
    private static final int MAC_HEX_CHARS = 64;
    private static final String ALGORITHM = "HmacSHA256";
    /** Domain separation: the secret signs nothing else today, but a token must never double as another signature. */
    private static final String PURPOSE = "ferry run token v2:";
    private static final String NONE = "-";
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

    /** What a token says, once its signature is checked: whose run, which claim of it, which key claimed it. */
    public record Claim(String runId, Instant claimed, String claimerKeyHash) {}

    /**
     * The token for one claim of a run, or null when this server has no tokens.
     *
     * @param claimed the timestamp of the Pending state the claim entered; null for a run not claimed (tests)
     * @param claimerKeyHash the claiming key's hash; null when no stored key claimed it
     */
    public String mint(String runId, Instant claimed, String claimerKeyHash) {
        byte[] key = secret();
        if (key == null) return null;
        String claimedPart = claimed == null ? NONE : Long.toString(nanos(claimed));
        String claimerPart = claimerKeyHash == null ? NONE : claimerKeyHash;
        return PREFIX + runId + "_" + claimedPart + "_" + claimerPart + "_"
                + HexFormat.of().formatHex(mac(key, runId + "/" + claimedPart + "/" + claimerPart));
    }

    /** Whether {@code token} has a run token's shape (a random API key never has: it is too short and has no hex tail). */
    public static boolean looksLikeRunToken(String token) {
        return parse(token) != null;
    }

    /** What the token says, when its signature is right. */
    public Optional<Claim> verify(String token) {
        String[] parts = parse(token);
        byte[] key = secret();
        if (parts == null || key == null) return Optional.empty();
        byte[] given = HexFormat.of().parseHex(parts[3]);
        if (!MessageDigest.isEqual(mac(key, parts[0] + "/" + parts[1] + "/" + parts[2]), given)) return Optional.empty();
        Instant claimed = parts[1].equals(NONE) ? null
                : Instant.ofEpochSecond(0, Long.parseLong(parts[1]));
        return Optional.of(new Claim(parts[0], claimed, parts[2].equals(NONE) ? null : parts[2]));
    }

    /** {runId, claimed, claimer, mac hex}, or null when it isn't shaped like a run token. */
    private static String[] parse(String token) {
        if (token == null || !token.startsWith(PREFIX)) return null;
        int macAt = token.lastIndexOf('_');
        int claimerAt = macAt < 0 ? -1 : token.lastIndexOf('_', macAt - 1);
        int claimedAt = claimerAt < 0 ? -1 : token.lastIndexOf('_', claimerAt - 1);
        if (claimedAt <= PREFIX.length()) return null;
        String mac = token.substring(macAt + 1);
        String claimer = token.substring(claimerAt + 1, macAt);
        String claimed = token.substring(claimedAt + 1, claimerAt);
        if (mac.length() != MAC_HEX_CHARS || !hex(mac)) return null;
        if (!claimer.equals(NONE) && (claimer.length() != MAC_HEX_CHARS || !hex(claimer))) return null;
        if (!claimed.equals(NONE) && (claimed.isEmpty() || claimed.length() > 19 || !claimed.chars().allMatch(Character::isDigit))) {
            return null;
        }
        return new String[] {token.substring(PREFIX.length(), claimedAt), claimed, claimer, mac};
    }

    private static boolean hex(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
        }
        return true;
    }

    private static long nanos(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
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

    private static byte[] mac(byte[] key, String claim) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return mac.doFinal((PURPOSE + claim).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
