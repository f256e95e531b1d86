package dev.ferry.core.webhooks;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * How a webhook checks that a request comes from its sender. The kinds: {@code none};
 * {@code github} ({@code X-Hub-Signature-256}, delivery id {@code X-GitHub-Delivery});
 * {@code stripe} ({@code Stripe-Signature: t=...,v1=...}, 300 s tolerance); {@code standard}
 * (Standard Webhooks: {@code webhook-id}, {@code webhook-timestamp}, {@code webhook-signature});
 * {@code hmac} (the other fields say which header, algorithm, prefix and encoding, what is
 * signed and how old a timestamp may be); {@code api-key} (a Ferry API key, DEPLOYER or ADMIN).
 *
 * @param secret never shown once the webhook is created
 * @param signed {@code body}, or {@code timestamp.body}: the timestamp header's value, a dot, then the body
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Verification(String kind, String secret, String header, String algorithm, String prefix, String encoding,
                           String signed, String timestampHeader, Integer windowSeconds, String deliveryIdHeader) {

    public static final Verification NONE = new Verification("none", null, null, null, null, null, null, null, null, null);

    /** The same settings with another secret. */
    Verification withSecret(String next) {
        return new Verification(kind, next, header, algorithm, prefix, encoding, signed, timestampHeader, windowSeconds,
                deliveryIdHeader);
    }

    /** What the API shows: everything but the secret. */
    public Verification shown() {
        return withSecret(null);
    }

    boolean needsSecret() {
        return !kind.equals("none") && !kind.equals("api-key");
    }
}
