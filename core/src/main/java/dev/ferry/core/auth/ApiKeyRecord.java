package dev.ferry.core.auth;

import java.time.Instant;
import java.util.List;

/**
 * A stored API key. The key itself is never kept: only {@code hash} (SHA-256 hex of the whole
 * key, {@code ferry_} prefix included) to find it and {@code prefix} (its first characters) to
 * let a person tell keys apart.
 *
 * @param pools the work pools a {@link Role#WORKER} key may act on; empty for other roles
 * @param lastUsed when the key last got a request in, to the minute; null if never
 * @param revokedAt null while the key works
 */
public record ApiKeyRecord(String id, String name, Role role, List<String> pools, String hash, String prefix,
                           Instant created, Instant lastUsed, Instant revokedAt) {

    public ApiKeyRecord {
        pools = pools == null ? List.of() : List.copyOf(pools);
    }

    public boolean revoked() {
        return revokedAt != null;
    }

    public ApiKeyRecord usedAt(Instant at) {
        return new ApiKeyRecord(id, name, role, pools, hash, prefix, created, at, revokedAt);
    }

    public ApiKeyRecord revokedAt(Instant at) {
        return new ApiKeyRecord(id, name, role, pools, hash, prefix, created, lastUsed, at);
    }

    /** How messages name the key: never the key, never its hash. */
    String describe() {
        return "API key '" + name + "' (" + prefix + "…)";
    }
}
