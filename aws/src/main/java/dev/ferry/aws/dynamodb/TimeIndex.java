package dev.ferry.aws.dynamodb;

import static dev.ferry.aws.dynamodb.Items.s;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/** A page of one partition of a sparse index sorted by {@link Keys#runOrder}: the entries in a window of time. */
final class TimeIndex {
    record Hits(List<Map<String, AttributeValue>> page, String next) {}

    private TimeIndex() {}

    /** Entries whose time lies in {@code (after, until]}, from just past the cursor's (of {@code list}). */
    static Hits window(Table table, String index, String partition, Instant after, Instant until, int limit,
                       String cursor, String list) {
        Table.checkLimit(limit);
        String from = cursor == null ? null : Cursors.decode(cursor, list, Keys::isRunOrder);
        // BETWEEN is inclusive: from just past {@code after}'s nanosecond, or from the cursor (dropped below)
        String low = from != null ? from : Keys.runOrder(after.plusNanos(1), "");
        String high = Keys.runOrder(until, "\uffff");
        String sortKey = Keys.sk(index);
        Map<String, String> names = Map.of("#ipk", Keys.pk(index), "#isk", sortKey);
        Map<String, AttributeValue> values = Map.of(":ipk", s(partition), ":low", s(low), ":high", s(high));
        List<Map<String, AttributeValue>> hits = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryRequest.Builder request = QueryRequest.builder().tableName(table.name).indexName(index)
                    .keyConditionExpression("#ipk = :ipk AND #isk BETWEEN :low AND :high")
                    .expressionAttributeNames(names).expressionAttributeValues(values).limit(limit + 2 - hits.size());
            if (start != null) request.exclusiveStartKey(start);
            QueryResponse response = table.client.query(request.build());
            for (Map<String, AttributeValue> hit : response.items()) {
                if (!hit.get(sortKey).s().equals(from)) hits.add(hit);
            }
            start = Table.next(response);
        } while (hits.size() <= limit && start != null);
        List<Map<String, AttributeValue>> page = hits.subList(0, Math.min(limit, hits.size()));
        String next = hits.size() > limit ? Cursors.encode(list, page.get(limit - 1).get(sortKey).s()) : null;
        return new Hits(page, next);
    }
}
