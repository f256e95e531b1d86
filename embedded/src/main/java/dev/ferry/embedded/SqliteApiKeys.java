package dev.ferry.embedded;

import static dev.ferry.embedded.Database.one;
import static dev.ferry.embedded.Database.query;
import static dev.ferry.embedded.Database.update;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.ferry.core.auth.ApiKeyRecord;
import dev.ferry.core.auth.ApiKeys;
import dev.ferry.core.auth.Role;
import dev.ferry.core.auth.RunTokens;
import dev.ferry.core.common.Json;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link ApiKeys} in the embedded SQLite file: table {@code api_keys} (instants as epoch
 * nanoseconds, pools as a JSON array) and the run-token secret in {@code server_secrets}.
 */
public final class SqliteApiKeys implements ApiKeys {
    private static final String COLUMNS = "id, hash, name, role, pools, prefix, created, last_used, revoked_at";
    private static final String RUN_TOKEN_SECRET = "run_tokens";
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

    private final Database db;

    public SqliteApiKeys(Database db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    @Override
    public boolean create(ApiKeyRecord key) {
        return db.write("creating API key '" + key.name() + "'", c -> update(c,
                "INSERT INTO api_keys (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                key.id(), key.hash(), key.name(), key.role().name(), Json.string(key.pools()), key.prefix(),
                nanos(key.created()), nanos(key.lastUsed()), nanos(key.revokedAt())) == 1);
    }

    @Override
    public Optional<ApiKeyRecord> byHash(String hash) {
        return db.read("looking up an API key",
                c -> one(c, "SELECT " + COLUMNS + " FROM api_keys WHERE hash = ?", SqliteApiKeys::record, hash));
    }

    @Override
    public List<ApiKeyRecord> list() {
        return db.read("listing API keys",
                c -> query(c, "SELECT " + COLUMNS + " FROM api_keys ORDER BY created, id", SqliteApiKeys::record));
    }

    @Override
    public Optional<ApiKeyRecord> revoke(String id, Instant at) {
        return db.write("revoking API key " + id, c -> {
            update(c, "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", nanos(at), id);
            return one(c, "SELECT " + COLUMNS + " FROM api_keys WHERE id = ?", SqliteApiKeys::record, id);
        });
    }

    @Override
    public boolean markUsed(ApiKeyRecord key, Instant at, Instant staleBefore) {
        return db.write("recording the use of API key " + key.id(), c -> update(c,
                "UPDATE api_keys SET last_used = ? WHERE id = ? AND (last_used IS NULL OR last_used < ?)",
                nanos(at), key.id(), nanos(staleBefore)) == 1);
    }

    @Override
    public byte[] secret() {
        Optional<byte[]> stored = db.read("reading the run-token secret", c -> one(c,
                "SELECT value FROM server_secrets WHERE name = ?", rs -> rs.getBytes(1), RUN_TOKEN_SECRET));
        if (stored.isPresent()) return stored.get();
        byte[] candidate = RunTokens.newSecret();
        // DO NOTHING: another process on the same file may have made it first, and tokens it signed must stay valid
        return db.write("creating the run-token secret", c -> {
            update(c, "INSERT INTO server_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                    RUN_TOKEN_SECRET, candidate);
            return one(c, "SELECT value FROM server_secrets WHERE name = ?", rs -> rs.getBytes(1), RUN_TOKEN_SECRET)
                    .orElseThrow();
        });
    }

    private static ApiKeyRecord record(ResultSet rs) throws SQLException {
        List<String> pools;
        try {
            pools = Json.MAPPER.readValue(rs.getString("pools"), STRINGS);
        } catch (java.io.IOException e) {
            throw new SQLException("API key " + rs.getString("id") + " has unreadable pools: " + e.getMessage(), e);
        }
        return new ApiKeyRecord(rs.getString("id"), rs.getString("name"), Role.valueOf(rs.getString("role")), pools,
                rs.getString("hash"), rs.getString("prefix"), instant(rs, "created"), instant(rs, "last_used"),
                instant(rs, "revoked_at"));
    }

    private static Long nanos(Instant t) {
        return t == null ? null : Columns.nanos(t);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        if (rs.wasNull()) return null;
        return Instant.ofEpochSecond(Math.floorDiv(value, 1_000_000_000L), Math.floorMod(value, 1_000_000_000L));
    }
}
