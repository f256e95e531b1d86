package dev.ferry.core.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks a request's signature as its sender makes it, over the raw bytes of the body, comparing
 * in constant time. Each check says why it refused, and never echoes a secret or a signature.
 */
final class Signatures {
    static final Duration STRIPE_TOLERANCE = Duration.ofSeconds(300);
    static final Duration STANDARD_TOLERANCE = Duration.ofMinutes(5);

    private Signatures() {}

    /** Why the request is refused, or empty when one of {@code secrets} signed it. */
    static Optional<String> refusal(Verification v, List<String> secrets, Map<String, String> headers, byte[] body, Instant now) {
        return switch (v.kind()) {
            case "none", "api-key" -> Optional.empty();
            case "github" -> github(secrets, headers, body);
            case "stripe" -> stripe(secrets, headers, body, now);
            case "standard" -> standard(secrets, headers, body, now);
            case "hmac" -> hmac(v, secrets, headers, body, now);
            default -> Optional.of("unknown verification kind");
        };
    }

    /** The sender's id of this delivery, when its kind has one: a redelivery carries the same id. */
    static String deliveryId(Verification v, Map<String, String> headers) {
        return switch (v.kind()) {
            case "github" -> headers.get("x-github-delivery");
            case "standard" -> headers.get("webhook-id");
            case "hmac" -> v.deliveryIdHeader() == null ? null : headers.get(v.deliveryIdHeader().toLowerCase(Locale.ROOT));
            default -> null;
        };
    }

    private static Optional<String> github(List<String> secrets, Map<String, String> headers, byte[] body) {
        String header = headers.get("x-hub-signature-256");
        if (header == null) return Optional.of("no X-Hub-Signature-256 header");
        if (!header.startsWith("sha256=")) return Optional.of("X-Hub-Signature-256 is not sha256=<hex>");
        byte[] given = hex(header.substring(7));
        if (given == null) return Optional.of("X-Hub-Signature-256 is not sha256=<hex>");
        for (String secret : secrets) {
            if (MessageDigest.isEqual(given, mac("HmacSHA256", utf8(secret), body))) return Optional.empty();
        }
        return Optional.of("X-Hub-Signature-256 does not match the body signed with the webhook's secret");
    }

    private static Optional<String> stripe(List<String> secrets, Map<String, String> headers, byte[] body, Instant now) {
        String header = headers.get("stripe-signature");
        if (header == null) return Optional.of("no Stripe-Signature header");
        String t = null;
        List<byte[]> signatures = new java.util.ArrayList<>();
        for (String part : header.split(",")) {
            int eq = part.indexOf('=');
            if (eq < 0) continue;
            String key = part.substring(0, eq).strip();
            String value = part.substring(eq + 1).strip();
            if (key.equals("t")) t = value;
            if (key.equals("v1") && hex(value) != null) signatures.add(hex(value));
        }
        if (t == null || signatures.isEmpty()) return Optional.of("Stripe-Signature has no t= and v1=");
        Optional<String> stale = stale(t, STRIPE_TOLERANCE, now);
        if (stale.isPresent()) return stale;
        byte[] signed = concat(utf8(t + "."), body);
        for (String secret : secrets) {
            byte[] expected = mac("HmacSHA256", utf8(secret), signed);
            for (byte[] given : signatures) if (MessageDigest.isEqual(given, expected)) return Optional.empty();
        }
        return Optional.of("no v1 signature of Stripe-Signature matches the webhook's secret");
    }

    private static Optional<String> standard(List<String> secrets, Map<String, String> headers, byte[] body, Instant now) {
        String id = headers.get("webhook-id");
        String timestamp = headers.get("webhook-timestamp");
        String header = headers.get("webhook-signature");
        if (id == null || timestamp == null || header == null) {
            return Optional.of("a Standard Webhooks request has webhook-id, webhook-timestamp and webhook-signature headers");
        }
        Optional<String> stale = stale(timestamp, STANDARD_TOLERANCE, now);
        if (stale.isPresent()) return stale;
        byte[] signed = concat(utf8(id + "." + timestamp + "."), body);
        for (String secret : secrets) {
            byte[] key = standardKey(secret);
            if (key == null) continue;
            byte[] expected = mac("HmacSHA256", key, signed);
            // several signatures, space-separated, during a sender's own key rotation
            for (String token : header.split(" ")) {
                int comma = token.indexOf(',');
                if (comma < 0 || !token.substring(0, comma).equals("v1")) continue;
                byte[] given = base64(token.substring(comma + 1));
                if (given != null && MessageDigest.isEqual(given, expected)) return Optional.empty();
            }
        }
        return Optional.of("no v1 signature of webhook-signature matches the webhook's secret");
    }

    private static Optional<String> hmac(Verification v, List<String> secrets, Map<String, String> headers, byte[] body,
                                         Instant now) {
        String header = headers.get(v.header().toLowerCase(Locale.ROOT));
        if (header == null) return Optional.of("no " + v.header() + " header");
        String value = header.strip();
        String prefix = v.prefix() == null ? "" : v.prefix();
        if (!value.startsWith(prefix)) return Optional.of(v.header() + " does not start with '" + prefix + "'");
        byte[] given = "base64".equals(v.encoding()) ? base64(value.substring(prefix.length())) : hex(value.substring(prefix.length()));
        if (given == null) return Optional.of(v.header() + " is not " + ("base64".equals(v.encoding()) ? "base64" : "hex"));
        byte[] signed = body;
        if ("timestamp.body".equals(v.signed())) {
            String timestamp = headers.get(v.timestampHeader().toLowerCase(Locale.ROOT));
            if (timestamp == null) return Optional.of("no " + v.timestampHeader() + " header");
            Optional<String> stale = stale(timestamp, Duration.ofSeconds(v.windowSeconds()), now);
            if (stale.isPresent()) return stale;
            signed = concat(utf8(timestamp + "."), body);
        }
        for (String secret : secrets) {
            if (MessageDigest.isEqual(given, mac(algorithm(v.algorithm()), utf8(secret), signed))) return Optional.empty();
        }
        return Optional.of(v.header() + " does not match the body signed with the webhook's secret");
    }

    static String algorithm(String name) {
        return switch (name) {
            case "sha1" -> "HmacSHA1";
            case "sha512" -> "HmacSHA512";
            default -> "HmacSHA256";
        };
    }

    /** A timestamp (Unix seconds) outside {@code tolerance} of now: a replay, or a clock far off. */
    private static Optional<String> stale(String timestamp, Duration tolerance, Instant now) {
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.strip());
        } catch (NumberFormatException e) {
            return Optional.of("the timestamp is not Unix seconds");
        }
        long off = Math.abs(now.getEpochSecond() - seconds);
        if (off > tolerance.toSeconds()) {
            return Optional.of("the timestamp is " + off + " s from the server's clock; at most " + tolerance.toSeconds()
                    + " s are accepted (a replayed request, or a clock far off)");
        }
        return Optional.empty();
    }

    /** Standard Webhooks secrets are {@code whsec_<base64 key>}. */
    private static byte[] standardKey(String secret) {
        return secret.startsWith("whsec_") ? base64(secret.substring(6)) : utf8(secret);
    }

    static byte[] mac(String algorithm, byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, algorithm));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no " + algorithm, e);
        }
    }

    private static byte[] hex(String text) {
        try {
            return HexFormat.of().parseHex(text.strip().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] base64(String text) {
        try {
            return Base64.getDecoder().decode(text.strip());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
