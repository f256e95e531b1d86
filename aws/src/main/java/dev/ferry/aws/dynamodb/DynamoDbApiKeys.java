package dev.ferry.aws.dynamodb;

import dev.ferry.core.auth.ApiKeyRecord;
import dev.ferry.core.auth.ApiKeys;
import dev.ferry.core.auth.Role;
import dev.ferry.core.auth.RunTokens;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * {@link ApiKeys} in the same table as the stores ({@link DynamoDbAdapters}), under key prefixes of their own:
 *
 * <pre>
 * pk                   sk          what
 * APIKEY#{sha256 hex}  #APIKEY     the key: id, name, role, pools, hash, prefix, created, last_used?, revoked_at?
 * APIKEYS              {id}        a pointer: hash (listing, revoking by id)
 * SECRET#run_tokens    #SECRET     value: the run-token secret (binary)
 * </pre>
 *
 * Every request reads its key by hash: one strongly consistent GetItem, each key in a partition
 * of its own so no partition runs hot. Instants are epoch nanoseconds (N), exact and comparable
 * in conditions.
 */
public final class DynamoDbApiKeys implements ApiKeys {
    static final String KEYS_PARTITION = "APIKEYS";
    private static final String KEY_PREFIX = "APIKEY#";
    private static final String KEY_SORT = "#APIKEY";
    private static final Map<String, AttributeValue> SECRET = Keys.key("SECRET#run_tokens", "#SECRET");

    static final String ID = "id";
    static final String NAME = "name";
    static final String ROLE = "role";
    static final String POOLS = "pools";
    static final String HASH = "hash";
    static final String PREFIX = "prefix";
    static final String CREATED = "created";
    static final String LAST_USED = "last_used";
    static final String REVOKED_AT = "revoked_at";
    static final String VALUE = "value";

    private final DynamoDbClient client;
    private final String table;
    private final Batches batches;
    private final Backoff backoff;

    public DynamoDbApiKeys(DynamoDbClient client, String tableName) {
        this(client, tableName, Backoff.DEFAULT);
    }

    DynamoDbApiKeys(DynamoDbClient client, String tableName, Backoff backoff) {
        this.client = Objects.requireNonNull(client, "client");
        this.table = Objects.requireNonNull(tableName, "tableName");
        this.backoff = backoff;
        this.batches = new Batches(client, tableName, backoff);
    }

    @Override
    public boolean create(ApiKeyRecord key) {
        Map<String, AttributeValue> pointer = new HashMap<>(Keys.key(KEYS_PARTITION, key.id()));
        pointer.put(HASH, AttributeValue.fromS(key.hash()));
        List<TransactWriteItem> writes = List.of(
                // a hash already on file must not be overwritten: that key would silently change role
                put(item(key), "attribute_not_exists(" + Keys.PK + ")"),
                // an id taken by another key would leave two keys behind one pointer
                put(pointer, "attribute_not_exists(" + Keys.PK + ")"));
        for (int attempt = 1; ; attempt++) {
            try {
                client.transactWriteItems(r -> r.transactItems(writes));
                return true;
            } catch (TransactionCanceledException e) {
                if (conditionFailed(e)) return false;
                // only conflicted with another transaction on the same items: try again
                if (attempt >= backoff.maxAttempts()) throw e;
                backoff.pause(attempt - 1);
            }
        }
    }

    @Override
    public Optional<ApiKeyRecord> byHash(String hash) {
        // strongly consistent: a revocation must turn the very next request away
        Map<String, AttributeValue> item = client.getItem(r -> r.tableName(table).key(keyOf(hash)).consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(record(item));
    }

    @Override
    public List<ApiKeyRecord> list() {
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = client.query(r -> r.tableName(table).consistentRead(true)
                    .keyConditionExpression("#pk = :pk")
                    .expressionAttributeNames(Map.of("#pk", Keys.PK))
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(KEYS_PARTITION)))
                    .exclusiveStartKey(from));
            for (Map<String, AttributeValue> pointer : page.items()) keys.add(keyOf(pointer.get(HASH).s()));
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        List<ApiKeyRecord> records = new ArrayList<>();
        for (Map<String, AttributeValue> item : batches.get(keys)) records.add(record(item));
        records.sort(Comparator.comparing(ApiKeyRecord::created).thenComparing(ApiKeyRecord::id));
        return records;
    }

    @Override
    public Optional<ApiKeyRecord> revoke(String id, Instant at) {
        Map<String, AttributeValue> pointer = client.getItem(r -> r.tableName(table)
                .key(Keys.key(KEYS_PARTITION, id)).consistentRead(true)).item();
        if (pointer == null || pointer.isEmpty()) return Optional.empty();
        String hash = pointer.get(HASH).s();
        try {
            Map<String, AttributeValue> after = client.updateItem(r -> r.tableName(table).key(keyOf(hash))
                    .updateExpression("SET #revoked = :at")
                    // the first revocation time stays; and a missing key item must not be made up from nothing
                    .conditionExpression("attribute_exists(#pk) AND attribute_not_exists(#revoked)")
                    .expressionAttributeNames(Map.of("#pk", Keys.PK, "#revoked", REVOKED_AT))
                    .expressionAttributeValues(Map.of(":at", nanos(at)))
                    .returnValues(ReturnValue.ALL_NEW)).attributes();
            return Optional.of(record(after));
        } catch (ConditionalCheckFailedException e) {
            return byHash(hash);
        }
    }

    @Override
    public boolean markUsed(ApiKeyRecord key, Instant at, Instant staleBefore) {
        try {
            client.updateItem(r -> r.tableName(table).key(keyOf(key.hash()))
                    .updateExpression("SET #used = :at")
                    // once a minute, however many requests race: only the first one's condition holds
                    .conditionExpression("attribute_exists(#pk) AND (attribute_not_exists(#used) OR #used < :stale)")
                    .expressionAttributeNames(Map.of("#pk", Keys.PK, "#used", LAST_USED))
                    .expressionAttributeValues(Map.of(":at", nanos(at), ":stale", nanos(staleBefore))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public byte[] secret() {
        Optional<byte[]> stored = storedSecret();
        if (stored.isPresent()) return stored.get();
        byte[] candidate = RunTokens.newSecret();
        Map<String, AttributeValue> item = new HashMap<>(SECRET);
        item.put(VALUE, AttributeValue.fromB(SdkBytes.fromByteArray(candidate)));
        try {
            // another container may have made it meanwhile; tokens it signed must stay valid, so its secret wins
            client.putItem(r -> r.tableName(table).item(item).conditionExpression("attribute_not_exists(#pk)")
                    .expressionAttributeNames(Map.of("#pk", Keys.PK)));
            return candidate;
        } catch (ConditionalCheckFailedException e) {
            return storedSecret().orElseThrow(() -> new IllegalStateException(
                    "the run-token secret of table " + table + " was there a moment ago and now is gone"));
        }
    }

    private Optional<byte[]> storedSecret() {
        Map<String, AttributeValue> item = client.getItem(r -> r.tableName(table).key(SECRET).consistentRead(true)).item();
        if (item == null || item.isEmpty()) return Optional.empty();
        return Optional.of(item.get(VALUE).b().asByteArray());
    }

    // ------------------------------------------------------------------ mapping

    static Map<String, AttributeValue> keyOf(String hash) {
        return Keys.key(KEY_PREFIX + hash, KEY_SORT);
    }

    static Map<String, AttributeValue> item(ApiKeyRecord key) {
        Map<String, AttributeValue> item = new HashMap<>(keyOf(key.hash()));
        item.put(ID, AttributeValue.fromS(key.id()));
        item.put(NAME, AttributeValue.fromS(key.name()));
        item.put(ROLE, AttributeValue.fromS(key.role().name()));
        item.put(POOLS, AttributeValue.fromL(key.pools().stream().map(AttributeValue::fromS).toList()));
        item.put(HASH, AttributeValue.fromS(key.hash()));
        item.put(PREFIX, AttributeValue.fromS(key.prefix()));
        item.put(CREATED, nanos(key.created()));
        if (key.lastUsed() != null) item.put(LAST_USED, nanos(key.lastUsed()));
        if (key.revokedAt() != null) item.put(REVOKED_AT, nanos(key.revokedAt()));
        return item;
    }

    static ApiKeyRecord record(Map<String, AttributeValue> item) {
        List<String> pools = new ArrayList<>();
        AttributeValue list = item.get(POOLS);
        if (list != null && list.hasL()) list.l().forEach(p -> pools.add(p.s()));
        return new ApiKeyRecord(item.get(ID).s(), item.get(NAME).s(), Role.valueOf(item.get(ROLE).s()), pools,
                item.get(HASH).s(), item.get(PREFIX).s(), instant(item.get(CREATED)), instant(item.get(LAST_USED)),
                instant(item.get(REVOKED_AT)));
    }

    private static AttributeValue nanos(Instant t) {
        return AttributeValue.fromN(Long.toString(Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L),
                t.getNano())));
    }

    private static Instant instant(AttributeValue value) {
        if (value == null || value.n() == null) return null;
        long n = Long.parseLong(value.n());
        return Instant.ofEpochSecond(Math.floorDiv(n, 1_000_000_000L), Math.floorMod(n, 1_000_000_000L));
    }

    private TransactWriteItem put(Map<String, AttributeValue> item, String condition) {
        return TransactWriteItem.builder().put(Put.builder().tableName(table).item(item)
                .conditionExpression(condition).build()).build();
    }

    private static boolean conditionFailed(TransactionCanceledException e) {
        if (!e.hasCancellationReasons()) return false;
        for (CancellationReason reason : e.cancellationReasons()) {
            if ("ConditionalCheckFailed".equals(reason.code())) return true;
        }
        return false;
    }
}
