package dev.ferry.core.auth;

import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Hashes;
import dev.ferry.core.common.Ids;
import dev.ferry.core.common.Names;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * API keys with roles: making, listing and revoking them, and telling who a request comes from.
 * A key is {@code ferry_} + 32 random bytes in base64url; it is shown once, when made, and kept
 * only as its SHA-256. This is the authenticator the {@code Router} asks on every route.
 */
public final class ApiKeyService {
    public static final String KEY_PREFIX = "ferry_";
    static final int KEY_BYTES = 32;
    /** What {@code ferry api-key ls} shows of a key: the prefix and 6 characters, 36 bits, enough to tell keys apart. */
    static final int DISPLAY_CHARS = KEY_PREFIX.length() + 6;
    /** last_used is kept to the minute: a busy worker must not turn every request into a write. */
    static final Duration LAST_USED_RESOLUTION = Duration.ofMinutes(1);
    static final int MAX_POOLS = 100;
    static final String MISSING = "this server needs an API key: send 'Authorization: Bearer KEY' (the CLI reads FERRY_API_KEY)";
    private static final Logger LOG = Logger.getLogger(ApiKeyService.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ApiKeys keys;
    private final BootstrapKey bootstrap;
    private final RunTokens runTokens;
    private final Clock clock;
    private final Ids ids;
    /** Once true, true for good: keys are never deleted, only revoked. */
    private volatile boolean keysExist;

    public ApiKeyService(ApiKeys keys, BootstrapKey bootstrap, Clock clock, Ids ids) {
        this(keys, bootstrap, RunTokens.of(keys), clock, ids);
    }

    private ApiKeyService(ApiKeys keys, BootstrapKey bootstrap, RunTokens runTokens, Clock clock, Ids ids) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.bootstrap = Objects.requireNonNull(bootstrap, "bootstrap");
        this.runTokens = runTokens;
        this.clock = clock;
        this.ids = ids;
    }

    /**
     * Only the bootstrap key (or nothing): no stored keys, no run tokens. For wiring that predates
     * the {@link ApiKeys} store; key management answers that this server keeps none.
     */
    public static ApiKeyService bootstrapOnly(BootstrapKey bootstrap) {
        return new ApiKeyService(NoKeys.INSTANCE, bootstrap, RunTokens.none(), Clock.SYSTEM, Ids.RANDOM);
    }

    /** The tokens claims hand to runs; {@code Ferry.wire} takes them. */
    public RunTokens runTokens() {
        return runTokens;
    }

    // ------------------------------------------------------------------ who may come in

    /**
     * THE rule for a server without credentials: with no bootstrap key configured and no key ever
     * made, everyone is let in. That is the embedded server's loopback default (it refuses to bind
     * anywhere else without a key). The first key made closes the server for good.
     */
    private boolean open() {
        if (bootstrap.configured() || keysExist) return false;
        if (!keys.list().isEmpty()) {
            keysExist = true;
            return false;
        }
        return true;
    }

    /**
     * Lets the request through, or throws {@link AccessDenied}: 401 for a missing, malformed,
     * unknown or revoked credential, 403 for one the route's row in {@link Access} doesn't admit.
     *
     * @param template the route's path template, {@code /api/flow_runs/{id}}
     * @param params its path parameters
     * @param runs what access needs to know of a flow run, empty when there is no such run
     */
    public Principal authorize(String authorization, String method, String template, Map<String, String> params,
                               Function<String, Optional<Access.RunFacts>> runs) {
        if (Access.isPublic(method, template)) return new Principal.Anyone();
        Principal who = authenticate(authorization);
        Access.check(who, method, template, params, runs, clock.now());
        return who;
    }

    /** Who the {@code Authorization} header says the caller is; throws a 401 {@link AccessDenied} when it says nobody. */
    public Principal authenticate(String authorization) {
        if (open()) return new Principal.Anyone();
        if (authorization == null || authorization.isBlank()) throw AccessDenied.unauthenticated(MISSING);
        String header = authorization.strip();
        int space = header.indexOf(' ');
        String scheme = space < 0 ? header : header.substring(0, space);
        String token = space < 0 ? "" : header.substring(space + 1).strip();
        if (!scheme.equalsIgnoreCase("Bearer") || token.isEmpty()) {
            // never echo what was sent: it may be a secret in the wrong place
            throw AccessDenied.unauthenticated("the Authorization header must be 'Bearer KEY'"
                    + (scheme.equalsIgnoreCase("Bearer") ? " (the key is empty)" : " (got another scheme or no key)"));
        }
        if (RunTokens.looksLikeRunToken(token)) {
            RunTokens.Claim claim = runTokens.verify(token).orElseThrow(() ->
                    AccessDenied.unauthenticated("invalid run token: it was not signed by this server"));
            if (claim.claimerKeyHash() != null) {
                // revoking the key that claimed a run ends the tokens of the runs it claimed
                Optional<ApiKeyRecord> claimer = keys.byHash(claim.claimerKeyHash());
                if (claimer.isEmpty() || claimer.get().revoked()) {
                    throw AccessDenied.unauthenticated("this run token ended: " + claimer.map(k -> k.describe()
                            + ", which claimed flow run " + claim.runId() + ", was revoked at " + k.revokedAt())
                            .orElse("the key that claimed flow run " + claim.runId() + " is gone"));
                }
            }
            return new Principal.Run(claim.runId(), claim.claimed());
        }
        String hash = hash(token);
        if (bootstrap.matches(hash)) return new Principal.BootstrapAdmin();
        ApiKeyRecord key = keys.byHash(hash).orElseThrow(() -> AccessDenied.unauthenticated(
                "unknown API key; check FERRY_API_KEY ('ferry api-key ls' lists the keys by prefix)"));
        if (key.revoked()) {
            throw AccessDenied.unauthenticated(key.describe() + " was revoked at " + key.revokedAt());
        }
        noteUse(key);
        return new Principal.Key(key);
    }

    private void noteUse(ApiKeyRecord key) {
        Instant now = clock.now();
        Instant staleBefore = now.minus(LAST_USED_RESOLUTION);
        if (key.lastUsed() != null && !key.lastUsed().isBefore(staleBefore)) return;
        try {
            keys.markUsed(key, now, staleBefore);
        } catch (RuntimeException e) {
            // bookkeeping: a request must not fail because its key's last-used time could not be written
            LOG.log(Level.WARNING, "could not record the use of " + key.describe(), e);
        }
    }

    // ------------------------------------------------------------------ managing keys

    public record NewKey(String name, Role role, List<String> pools) {}

    /** A key just made: {@code key} is the only time anyone sees it. */
    public record Created(ApiKeyRecord record, String key) {}

    public Created create(NewKey request) {
        if (keys instanceof NoKeys) {
            throw new IllegalStateException("this server keeps no API keys: its Router was wired with a single "
                    + "configured key instead of an ApiKeyService over an ApiKeys store");
        }
        String name = Names.check("name", request.name());
        Role role = request.role();
        if (role == null) {
            throw BadInput.invalid("role", "'role' is required: one of ADMIN, DEPLOYER, WORKER, READER");
        }
        List<String> pools = pools(role, request.pools());
        if (role != Role.ADMIN && open()) {
            // Making the first key closes an open server; without an admin key nobody could manage keys after.
            throw BadInput.invalid("role", "the first API key on a server without a configured admin key must have "
                    + "role ADMIN (got " + role + "): once a key exists every request needs one");
        }
        String key = newKey();
        ApiKeyRecord record = new ApiKeyRecord(ids.next(), name, role, pools, hash(key),
                key.substring(0, DISPLAY_CHARS), clock.now(), null, null);
        if (!keys.create(record)) {
            throw new IllegalStateException("API key id " + record.id() + " or its hash is already taken");
        }
        keysExist = true;
        return new Created(record, key);
    }

    private static List<String> pools(Role role, List<String> requested) {
        List<String> given = requested == null ? List.of() : requested;
        if (!role.confinedToPools()) {
            if (!given.isEmpty()) {
                throw BadInput.invalid("pools", "'pools' only applies to WORKER keys; a " + role + " key reaches every pool");
            }
            return List.of();
        }
        if (given.isEmpty()) {
            throw BadInput.invalid("pools", "a WORKER key needs 'pools': the work pools it may poll and report on");
        }
        if (given.size() > MAX_POOLS) {
            throw BadInput.invalid("pools", "a key names at most " + MAX_POOLS + " pools (got " + given.size() + ")");
        }
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < given.size(); i++) out.add(Names.check("pools[" + i + "]", given.get(i)));
        return new ArrayList<>(out);
    }

    public List<ApiKeyRecord> list() {
        return keys.list();
    }

    /** Revokes at once; revoking again keeps the first time. */
    public ApiKeyRecord revoke(String id) {
        return keys.revoke(id, clock.now()).orElseThrow(() -> BadInput.notFound("API key", id));
    }

    // ------------------------------------------------------------------ keys themselves

    /** A new key: {@code ferry_} + 32 random bytes, base64url without padding. */
    public static String newKey() {
        byte[] bytes = new byte[KEY_BYTES];
        RANDOM.nextBytes(bytes);
        return KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** SHA-256 of the key's UTF-8 bytes, lower-case hex: what is stored, and what FERRY_ADMIN_KEY_HASH holds. */
    public static String hash(String key) {
        return Hashes.sha256Hex(key);
    }

    /** A store that has nothing and takes nothing, for {@link #bootstrapOnly}. */
    private enum NoKeys implements ApiKeys {
        INSTANCE;

        @Override
        public boolean create(ApiKeyRecord key) {
            return false;
        }

        @Override
        public Optional<ApiKeyRecord> byHash(String hash) {
            return Optional.empty();
        }

        @Override
        public List<ApiKeyRecord> list() {
            return List.of();
        }

        @Override
        public Optional<ApiKeyRecord> revoke(String id, Instant at) {
            return Optional.empty();
        }

        @Override
        public boolean markUsed(ApiKeyRecord key, Instant at, Instant staleBefore) {
            return false;
        }

        @Override
        public byte[] secret() {
            return null;
        }
    }
}
