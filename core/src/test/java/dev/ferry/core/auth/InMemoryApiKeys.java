package dev.ferry.core.auth;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link ApiKeys} in memory, for core's unit tests; {@link InMemoryApiKeysTest} holds it to the contract. */
public final class InMemoryApiKeys implements ApiKeys {
    private final Map<String, ApiKeyRecord> byId = new LinkedHashMap<>();
    private byte[] secret;
    int writes;

    @Override
    public synchronized boolean create(ApiKeyRecord key) {
        if (byId.containsKey(key.id()) || byId.values().stream().anyMatch(k -> k.hash().equals(key.hash()))) return false;
        byId.put(key.id(), key);
        writes++;
        return true;
    }

    @Override
    public synchronized Optional<ApiKeyRecord> byHash(String hash) {
        return byId.values().stream().filter(k -> k.hash().equals(hash)).findFirst();
    }

    @Override
    public synchronized List<ApiKeyRecord> list() {
        List<ApiKeyRecord> all = new ArrayList<>(byId.values());
        all.sort(Comparator.comparing(ApiKeyRecord::created).thenComparing(ApiKeyRecord::id));
        return all;
    }

    @Override
    public synchronized Optional<ApiKeyRecord> revoke(String id, Instant at) {
        ApiKeyRecord key = byId.get(id);
        if (key == null) return Optional.empty();
        if (!key.revoked()) {
            key = key.revokedAt(at);
            byId.put(id, key);
            writes++;
        }
        return Optional.of(key);
    }

    @Override
    public synchronized boolean markUsed(ApiKeyRecord used, Instant at, Instant staleBefore) {
        ApiKeyRecord key = byId.get(used.id());
        if (key == null || (key.lastUsed() != null && !key.lastUsed().isBefore(staleBefore))) return false;
        byId.put(key.id(), key.usedAt(at));
        writes++;
        return true;
    }

    @Override
    public synchronized byte[] secret() {
        if (secret == null) secret = RunTokens.newSecret();
        return secret.clone();
    }
}
