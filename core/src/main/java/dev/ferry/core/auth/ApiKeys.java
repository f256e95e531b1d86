package dev.ferry.core.auth;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where API keys and the run-token secret are kept. A port of its own, apart from the Store, so
 * that credentials have their own adapters (and their own contract suite, {@code ApiKeysContract}).
 * Keys are never deleted: a revoked key stays, so its holder is told it was revoked, and a server
 * that once had keys never falls back to letting everyone in.
 */
public interface ApiKeys {

    /** Stores a new key; false (and nothing written) when its id or hash is already taken. */
    boolean create(ApiKeyRecord key);

    /** The key with this SHA-256 hex hash, revoked or not; a strongly consistent read (revocation is immediate). */
    Optional<ApiKeyRecord> byHash(String hash);

    /** Every key, revoked ones too, oldest first (then by id). */
    List<ApiKeyRecord> list();

    /**
     * Marks the key revoked at {@code at}, unless it already is (the first revocation time stays).
     *
     * @return the key as stored afterwards; empty when there is no key with this id
     */
    Optional<ApiKeyRecord> revoke(String id, Instant at);

    /**
     * Records a use of the key at {@code at}, but only when its stored last use is missing or
     * before {@code staleBefore}: concurrent requests then write once, not once each. Takes the
     * whole record (as {@link #byHash} answered it) so an adapter can address it by id or hash.
     *
     * @return whether it wrote; false too when the key is not stored
     */
    boolean markUsed(ApiKeyRecord key, Instant at, Instant staleBefore);

    /**
     * The server's secret for signing run tokens: created on first call (from
     * {@link RunTokens#newSecret()}), the same bytes on every call after, from every process
     * sharing the storage.
     */
    byte[] secret();
}
