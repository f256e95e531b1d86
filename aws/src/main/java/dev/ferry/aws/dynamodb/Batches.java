package dev.ferry.aws.dynamodb;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * BatchWriteItem and BatchGetItem in the sizes DynamoDB accepts (25 writes, 100 keys per call),
 * with what it leaves unprocessed (throttling, a partition busy) sent again after a backoff.
 * A batch is not a transaction: it is used only where each item stands on its own.
 */
final class Batches {
    static final int MAX_WRITES = 25;
    static final int MAX_KEYS = 100;

    private final DynamoDbClient client;
    private final String table;
    private final Backoff backoff;

    Batches(DynamoDbClient client, String table, Backoff backoff) {
        this.client = client;
        this.table = table;
        this.backoff = backoff;
    }

    void write(List<WriteRequest> requests) {
        for (int from = 0; from < requests.size(); from += MAX_WRITES) {
            List<WriteRequest> pending = requests.subList(from, Math.min(from + MAX_WRITES, requests.size()));
            for (int attempt = 1; ; attempt++) {
                List<WriteRequest> sent = pending;
                BatchWriteItemResponse response = client.batchWriteItem(b -> b.requestItems(Map.of(table, sent)));
                pending = response.hasUnprocessedItems() ? response.unprocessedItems().getOrDefault(table, List.of()) : List.of();
                if (pending.isEmpty()) break;
                if (attempt >= backoff.maxAttempts()) {
                    throw new IllegalStateException("DynamoDB left " + pending.size() + " of " + requests.size()
                            + " writes to table " + table + " unprocessed after " + attempt
                            + " attempts; the table is throttled, try again later");
                }
                backoff.pause(attempt - 1);
            }
        }
    }

    /** Strongly consistent reads of {@code keys}; the items found, in no particular order. */
    List<Map<String, AttributeValue>> get(List<Map<String, AttributeValue>> keys) {
        // a key asked twice in one call is refused, so ask each once
        List<Map<String, AttributeValue>> unique = new ArrayList<>(new LinkedHashSet<>(keys));
        List<Map<String, AttributeValue>> found = new ArrayList<>();
        for (int from = 0; from < unique.size(); from += MAX_KEYS) {
            KeysAndAttributes pending = KeysAndAttributes.builder()
                    .keys(unique.subList(from, Math.min(from + MAX_KEYS, unique.size()))).consistentRead(true).build();
            for (int attempt = 1; ; attempt++) {
                KeysAndAttributes sent = pending;
                BatchGetItemResponse response = client.batchGetItem(b -> b.requestItems(Map.of(table, sent)));
                found.addAll(response.responses().getOrDefault(table, List.of()));
                pending = response.hasUnprocessedKeys() ? response.unprocessedKeys().get(table) : null;
                if (pending == null || !pending.hasKeys() || pending.keys().isEmpty()) break;
                if (attempt >= backoff.maxAttempts()) {
                    throw new IllegalStateException("DynamoDB left " + pending.keys().size() + " reads of table " + table
                            + " unprocessed after " + attempt + " attempts; the table is throttled, try again later");
                }
                backoff.pause(attempt - 1);
            }
        }
        return found;
    }
}
