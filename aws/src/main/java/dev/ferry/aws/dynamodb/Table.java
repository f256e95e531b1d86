package dev.ferry.aws.dynamodb;

import static dev.ferry.aws.dynamodb.Items.s;

import dev.ferry.core.common.Write;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Ferry's one table as every DynamoDB adapter uses it: the client and the table's name, and the
 * requests they share (consistent reads, partition and index queries, conditional writes,
 * transactions tried again while they only conflict).
 */
final class Table {
    private static final String CONDITION_FAILED = "ConditionalCheckFailed";
    /** Cancellation codes that say "try again", not "your condition is false". */
    private static final Set<String> RETRYABLE = Set.of("TransactionConflict", "ThrottlingError",
            "ProvisionedThroughputExceeded", "RequestLimitExceeded");

    final DynamoDbClient client;
    final String name;
    final Backoff backoff;
    final Batches batches;

    Table(DynamoDbClient client, String name, Backoff backoff) {
        this.client = Objects.requireNonNull(client, "client");
        this.name = Objects.requireNonNull(name, "tableName");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.batches = new Batches(client, name, backoff);
    }

    Table(DynamoDbClient client, String name) {
        this(client, name, Backoff.DEFAULT);
    }

    Optional<Map<String, AttributeValue>> get(Map<String, AttributeValue> key) {
        Map<String, AttributeValue> item = client.getItem(b -> b.tableName(name).key(key).consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(item);
    }

    /** Every item of a base-table partition (whose sort key starts with {@code prefix}), strongly consistent. */
    List<Map<String, AttributeValue>> partition(String pk, String prefix) {
        Map<String, String> names = new HashMap<>(Map.of("#pk", Keys.PK));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":pk", s(pk)));
        String condition = "#pk = :pk";
        if (prefix != null) {
            condition += " AND begins_with(#sk, :prefix)";
            names.put("#sk", Keys.SK);
            values.put(":prefix", s(prefix));
        }
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryRequest.Builder request = QueryRequest.builder().tableName(name).consistentRead(true)
                    .keyConditionExpression(condition).expressionAttributeNames(names).expressionAttributeValues(values);
            if (start != null) request.exclusiveStartKey(start);
            QueryResponse response = client.query(request.build());
            items.addAll(response.items());
            start = next(response);
        } while (start != null);
        return items;
    }

    /**
     * Up to {@code want} items of one index partition after {@code after} (newest first when
     * {@code descending}), with {@code where} applied by DynamoDB; pages through as needed.
     */
    List<Map<String, AttributeValue>> queryIndex(String index, String partition, String after, boolean descending,
                                                 Expr where, int want) {
        Map<String, String> names = new HashMap<>(where.names());
        names.put("#ipk", Keys.pk(index));
        Map<String, AttributeValue> values = new HashMap<>(where.values());
        values.put(":ipk", s(partition));
        String condition = "#ipk = :ipk";
        if (after != null) {
            names.put("#isk", Keys.sk(index));
            values.put(":after", s(after));
            condition += descending ? " AND #isk < :after" : " AND #isk > :after";
        }
        List<Map<String, AttributeValue>> found = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            // With a filter, Limit counts items read, not items kept: read more per call.
            int limit = where.isEmpty() ? want - found.size() : Math.max(want, 100);
            QueryRequest.Builder request = QueryRequest.builder().tableName(name).indexName(index)
                    .keyConditionExpression(condition).expressionAttributeNames(names).expressionAttributeValues(values)
                    .scanIndexForward(!descending).limit(limit);
            if (!where.isEmpty()) request.filterExpression(where.expression());
            if (start != null) request.exclusiveStartKey(start);
            QueryResponse response = client.query(request.build());
            found.addAll(response.items());
            start = next(response);
        } while (found.size() < want && start != null);
        return found.size() > want ? found.subList(0, want) : found;
    }

    /** Where the next page of a query starts; null after the last. */
    static Map<String, AttributeValue> next(QueryResponse response) {
        return response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
    }

    void putItem(Map<String, AttributeValue> item, Expr condition) {
        client.putItem(b -> {
            b.tableName(name).item(item).conditionExpression(condition.expression());
            if (!condition.names().isEmpty()) b.expressionAttributeNames(condition.names());
            if (!condition.values().isEmpty()) b.expressionAttributeValues(condition.values());
        });
    }

    /**
     * Puts a record's new revision if {@code condition} (on the revision it was based on) holds:
     * applied, the answer is {@code stored}; refused, it is the item DynamoDB returns with the
     * refusal, read by {@code current} (null when there is none), so a stale write costs no second read.
     */
    <T> Write<T> putRevision(Map<String, AttributeValue> item, Expr condition, T stored,
                             Function<Map<String, AttributeValue>, T> current) {
        try {
            client.putItem(b -> b.tableName(name).item(item).conditionExpression(condition.expression())
                    .expressionAttributeNames(condition.names()).expressionAttributeValues(condition.values())
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return new Write.Applied<>(stored);
        } catch (ConditionalCheckFailedException e) {
            return new Write.Stale<>(e.hasItem() && !e.item().isEmpty() ? current.apply(e.item()) : null);
        }
    }

    void deleteItem(Map<String, AttributeValue> key) {
        client.deleteItem(b -> b.tableName(name).key(key));
    }

    void deleteItem(Map<String, AttributeValue> key, Expr condition) {
        client.deleteItem(b -> b.tableName(name).key(key).conditionExpression(condition.expression())
                .expressionAttributeNames(condition.names()).expressionAttributeValues(condition.values()));
    }

    /**
     * Runs one transaction. Null when it committed; else the cancellation reasons, one per item
     * in order, when a condition was false. Cancellations that only say "busy" (another
     * transaction on the same item, throttling) are tried again after a backoff.
     */
    List<CancellationReason> transact(List<TransactWriteItem> items) {
        for (int attempt = 1; ; attempt++) {
            try {
                // A fresh token per attempt: the SDK's own retries of this request reuse it, so a
                // commit whose answer was lost is not applied twice (DynamoDB remembers it for 10 minutes).
                String token = UUID.randomUUID().toString();
                client.transactWriteItems(b -> b.transactItems(items).clientRequestToken(token));
                return null;
            } catch (TransactionCanceledException e) {
                List<CancellationReason> reasons = e.hasCancellationReasons() ? e.cancellationReasons() : List.of();
                if (reasons.stream().anyMatch(r -> CONDITION_FAILED.equals(r.code()))) return reasons;
                boolean busy = !reasons.isEmpty() && reasons.stream()
                        .allMatch(r -> r.code() == null || "None".equals(r.code()) || RETRYABLE.contains(r.code()));
                if (!busy || attempt >= backoff.maxAttempts()) throw e;
                backoff.pause(attempt - 1);
            }
        }
    }

    TransactWriteItem put(Map<String, AttributeValue> item, Expr condition) {
        return put(item, condition, ReturnValuesOnConditionCheckFailure.NONE);
    }

    TransactWriteItem put(Map<String, AttributeValue> item, Expr condition, ReturnValuesOnConditionCheckFailure onFailure) {
        Put.Builder put = Put.builder().tableName(name).item(item);
        if (onFailure != ReturnValuesOnConditionCheckFailure.NONE) put.returnValuesOnConditionCheckFailure(onFailure);
        if (!condition.isEmpty()) {
            put.conditionExpression(condition.expression());
            if (!condition.names().isEmpty()) put.expressionAttributeNames(condition.names());
            if (!condition.values().isEmpty()) put.expressionAttributeValues(condition.values());
        }
        return TransactWriteItem.builder().put(put.build()).build();
    }

    TransactWriteItem delete(Map<String, AttributeValue> key, Expr condition) {
        Delete.Builder delete = Delete.builder().tableName(name).key(key);
        if (!condition.isEmpty()) {
            delete.conditionExpression(condition.expression());
            if (!condition.names().isEmpty()) delete.expressionAttributeNames(condition.names());
            if (!condition.values().isEmpty()) delete.expressionAttributeValues(condition.values());
        }
        return TransactWriteItem.builder().delete(delete.build()).build();
    }

    TransactWriteItem check(Map<String, AttributeValue> key, Expr condition) {
        ConditionCheck.Builder check = ConditionCheck.builder().tableName(name).key(key)
                .conditionExpression(condition.expression());
        if (!condition.names().isEmpty()) check.expressionAttributeNames(condition.names());
        if (!condition.values().isEmpty()) check.expressionAttributeValues(condition.values());
        return TransactWriteItem.builder().conditionCheck(check.build()).build();
    }

    static WriteRequest deleteRequest(Map<String, AttributeValue> key) {
        return WriteRequest.builder().deleteRequest(DeleteRequest.builder().key(key).build()).build();
    }

    /** The base-table key of an item found through an index. */
    static Map<String, AttributeValue> tableKey(Map<String, AttributeValue> indexItem) {
        return Keys.key(indexItem.get(Keys.PK).s(), indexItem.get(Keys.SK).s());
    }

    /** The id in a {@code KIND#id} partition key. */
    static String idOf(String pk) {
        return pk.substring(pk.indexOf('#') + 1);
    }

    /** Whether the transaction's item {@code index} was refused by its condition. */
    static boolean failed(List<CancellationReason> reasons, int index) {
        return index < reasons.size() && CONDITION_FAILED.equals(reasons.get(index).code());
    }

    static String codes(List<CancellationReason> reasons) {
        return reasons.stream().map(CancellationReason::code).toList().toString();
    }

    static void checkLimit(int limit) {
        if (limit < 1) throw new IllegalArgumentException("page limit must be at least 1 (got " + limit + ")");
    }

    static Duration positive(Duration d, String what) {
        if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException(what + " must be positive (got " + d + ")");
        return d;
    }
}
