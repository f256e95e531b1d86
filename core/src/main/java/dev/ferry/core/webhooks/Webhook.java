package dev.ferry.core.webhooks;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;

/**
 * A webhook as stored: its secret URL's slug, the template that turns a request into an event
 * (null: the request is a CloudEvent), how requests are verified, and the slugs and secrets a
 * rotation retired, which keep working until their time is up.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Webhook(String id, String name, String slug, ObjectNode template, Verification verification, boolean enabled,
                      List<Retired> retired, Instant created, Instant updated, long revision) {

    public Webhook {
        retired = retired == null ? List.of() : List.copyOf(retired);
    }

    /** A slug and secret a rotation replaced, still good until {@code until}. */
    public record Retired(String slug, String secret, Instant until) {}

    Webhook withRevision(long r) {
        return new Webhook(id, name, slug, template, verification, enabled, retired, created, updated, r);
    }

    /** The secrets a request may be signed with at {@code now}: the current one, then those still in their grace. */
    List<String> secrets(Instant now) {
        java.util.ArrayList<String> secrets = new java.util.ArrayList<>();
        if (verification.secret() != null) secrets.add(verification.secret());
        for (Retired r : retired) if (r.secret() != null && now.isBefore(r.until())) secrets.add(r.secret());
        return secrets;
    }
}
