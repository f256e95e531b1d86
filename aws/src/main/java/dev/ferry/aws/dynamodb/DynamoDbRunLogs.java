package dev.ferry.aws.dynamodb;

import static dev.ferry.aws.dynamodb.Items.n;
import static dev.ferry.aws.dynamodb.Items.s;

import dev.ferry.core.common.Clock;
import dev.ferry.core.runs.LogLine;
import dev.ferry.core.runs.RunLogs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * {@link RunLogs} in Ferry's table: each line an item in its run's partition, numbered by one
 * counter per run, kept until its {@code ttl}.
 */
public final class DynamoDbRunLogs implements RunLogs {
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);

    private static final String LAST_LOG = Keys.logLine(Long.MAX_VALUE);

    private final Table table;
    private final Duration retention;
    private final Clock clock;

    public DynamoDbRunLogs(DynamoDbClient client, String tableName) {
        this(new Table(client, tableName), DEFAULT_RETENTION, Clock.SYSTEM);
    }

    /** Lines get a {@code ttl} {@code retention} after they are written; the clock says when that is. */
    DynamoDbRunLogs(Table table, Duration retention, Clock clock) {
        this.table = Objects.requireNonNull(table, "table");
        this.retention = Table.positive(retention, "logRetention");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void appendLogs(String runId, List<LogLine> lines) {
        if (lines.isEmpty()) return;
        long ttl = clock.now().plus(retention).getEpochSecond();
        // One counter per run hands out the numbers; a failed batch below leaves a gap, never a repeat.
        Map<String, AttributeValue> counted = table.client.updateItem(b -> b.tableName(table.name).key(Keys.logSequence(runId))
                .updateExpression("ADD #seq :n SET #ttl = :ttl")
                .expressionAttributeNames(Map.of("#seq", Items.SEQ, "#ttl", Items.TTL))
                .expressionAttributeValues(Map.of(":n", n(lines.size()), ":ttl", n(ttl)))
                .returnValues(ReturnValue.UPDATED_NEW)).attributes();
        long seq = Items.number(counted, Items.SEQ, lines.size()) - lines.size();
        List<WriteRequest> puts = new ArrayList<>(lines.size());
        for (LogLine line : lines) {
            seq++;
            LogLine stored = new LogLine(seq, line.timestamp(), line.stream(), line.message());
            puts.add(WriteRequest.builder().putRequest(PutRequest.builder().item(Items.logLine(runId, stored, ttl)).build()).build());
        }
        table.batches.write(puts);
    }

    @Override
    public List<LogLine> logs(String runId, long afterSeq, int limit) {
        Table.checkLimit(limit);
        if (afterSeq == Long.MAX_VALUE) return List.of();
        String from = Keys.logLine(Math.max(afterSeq + 1, 0));
        List<LogLine> lines = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryRequest.Builder request = QueryRequest.builder().tableName(table.name).consistentRead(true)
                    .keyConditionExpression("#pk = :pk AND #sk BETWEEN :from AND :to")
                    .expressionAttributeNames(Map.of("#pk", Keys.PK, "#sk", Keys.SK))
                    .expressionAttributeValues(Map.of(":pk", s(Keys.runPartition(runId)), ":from", s(from), ":to", s(LAST_LOG)))
                    .limit(limit - lines.size());
            if (start != null) request.exclusiveStartKey(start);
            QueryResponse response = table.client.query(request.build());
            response.items().forEach(item -> lines.add(Items.logLine(item)));
            start = Table.next(response);
        } while (start != null && lines.size() < limit);
        return lines;
    }
}
