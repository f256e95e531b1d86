package dev.ferry.aws.dynamodb;

import static dev.ferry.aws.dynamodb.Items.n;
import static dev.ferry.aws.dynamodb.Items.s;

import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Contention;
import dev.ferry.core.runs.LogLine;
import dev.ferry.core.runs.LogQuota;
import dev.ferry.core.runs.LogSlice;
import dev.ferry.core.runs.LogTotals;
import dev.ferry.core.runs.RunLogs;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * {@link RunLogs} in Ferry's table: each line an item in its run's partition, numbered by one
 * counter per run, kept until its {@code ttl}. The counter also holds the run's totals against its
 * quota: {@code seq} (numbers handed out, each counted as a line), {@code bytes}, and once the quota
 * is reached {@code closed}, the dropped lines and bytes, and {@code truncated_at}.
 */
public final class DynamoDbRunLogs implements RunLogs {
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);
    /** DynamoDB's limit on one item, names and values together. */
    static final int MAX_ITEM_BYTES = 400 * 1024;

    static final String BYTES = "bytes";
    static final String CLOSED = "closed";
    static final String DROPPED_LINES = "dropped_lines";
    static final String DROPPED_BYTES = "dropped_bytes";
    static final String TRUNCATED_AT = "truncated_at";
    private static final int MAX_ROUNDS = 20;

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
    public void appendLogs(String runId, List<LogLine> lines, LogQuota quota) {
        if (lines.isEmpty()) return;
        long ttl = clock.now().plus(retention).getEpochSecond();
        for (int i = 0; i < lines.size(); i++) {
            // A write DynamoDB refuses would answer 500 after part of the batch was stored.
            long size = itemSize(Items.logLine(runId, lines.get(i).withSeq(Long.MAX_VALUE), ttl));
            if (size > MAX_ITEM_BYTES) {
                throw BadInput.invalid("logs[" + i + "].message", "this log line would be a DynamoDB item of " + size
                        + " bytes; at most " + MAX_ITEM_BYTES + " fit");
            }
        }
        long size = LogQuota.size(lines);
        for (int round = 0; round < MAX_ROUNDS; round++) {
            if (lines.size() <= quota.lines() && size <= quota.bytes()) {
                try {
                    write(runId, lines, reserve(runId, lines.size(), size, quota, ttl), ttl);
                    return;
                } catch (ConditionalCheckFailedException e) {
                    // not all of it fits (or it was closed): the slow path below decides what does
                }
            }
            Map<String, AttributeValue> counter = table.get(Keys.logSequence(runId)).orElse(Map.of());
            if (counter.containsKey(CLOSED)) {
                drop(runId, lines.size(), size, ttl);
                return;
            }
            long seq = Items.number(counter, Items.SEQ, 0);
            int fit = quota.fitting(new LogTotals(seq, Items.number(counter, BYTES, 0), 0, 0, null), lines);
            if (fit == lines.size()) continue;
            List<LogLine> kept = lines.subList(0, fit);
            try {
                close(runId, counter.containsKey(Items.SEQ) ? seq : null, fit, LogQuota.size(kept), lines.size() - fit,
                        size - LogQuota.size(kept), ttl);
            } catch (ConditionalCheckFailedException e) {
                continue;
            }
            write(runId, kept, seq, ttl);
            // Only now, with the kept lines stored, do readers see the marker: it must never come before a line.
            Instant at = lines.get(fit).timestamp() == null ? clock.now() : lines.get(fit).timestamp();
            table.client.updateItem(b -> b.tableName(table.name).key(Keys.logSequence(runId))
                    .updateExpression("SET #at = :at").expressionAttributeNames(Map.of("#at", TRUNCATED_AT))
                    .expressionAttributeValues(Map.of(":at", s(at.toString()))));
            return;
        }
        throw new Contention("the log of flow run " + runId + " kept changing under " + MAX_ROUNDS + " appends");
    }

    /** Hands out numbers for a batch that fits whole; refused (condition) when the log is closed or it would not fit. */
    private long reserve(String runId, int count, long bytes, LogQuota quota, long ttl) {
        Map<String, AttributeValue> counted = table.client.updateItem(b -> b.tableName(table.name).key(Keys.logSequence(runId))
                .updateExpression("ADD #seq :n, #bytes :b SET #ttl = :ttl")
                .conditionExpression("attribute_not_exists(#closed) AND (attribute_not_exists(#seq) OR #seq <= :seqFit) "
                        + "AND (attribute_not_exists(#bytes) OR #bytes <= :bytesFit)")
                .expressionAttributeNames(Map.of("#seq", Items.SEQ, "#bytes", BYTES, "#closed", CLOSED, "#ttl", Items.TTL))
                .expressionAttributeValues(Map.of(":n", n(count), ":b", n(bytes), ":ttl", n(ttl),
                        ":seqFit", n(quota.lines() - count), ":bytesFit", n(quota.bytes() - bytes)))
                .returnValues(ReturnValue.UPDATED_NEW)).attributes();
        return Items.number(counted, Items.SEQ, count) - count;
    }

    /** Takes the last lines that fit and closes the log, if nobody appended since {@code seq} was read (null: no counter yet). */
    private void close(String runId, Long seq, int kept, long keptBytes, int dropped, long droppedBytes, long ttl) {
        Map<String, String> names = new HashMap<>(Map.of("#seq", Items.SEQ, "#bytes", BYTES, "#closed", CLOSED,
                "#dl", DROPPED_LINES, "#db", DROPPED_BYTES, "#ttl", Items.TTL));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":n", n(kept), ":b", n(keptBytes), ":dl", n(dropped),
                ":db", n(droppedBytes), ":ttl", n(ttl), ":true", AttributeValue.fromBool(true)));
        String condition;
        if (seq == null) {
            condition = "attribute_not_exists(#seq)";
        } else {
            condition = "attribute_not_exists(#closed) AND #seq = :seen";
            values.put(":seen", n(seq));
        }
        table.client.updateItem(b -> b.tableName(table.name).key(Keys.logSequence(runId))
                .updateExpression("ADD #seq :n, #bytes :b, #dl :dl, #db :db SET #ttl = :ttl, #closed = :true")
                .conditionExpression(condition).expressionAttributeNames(names).expressionAttributeValues(values));
    }

    private void drop(String runId, int lines, long bytes, long ttl) {
        table.client.updateItem(b -> b.tableName(table.name).key(Keys.logSequence(runId))
                .updateExpression("ADD #dl :dl, #db :db SET #ttl = :ttl")
                .expressionAttributeNames(Map.of("#dl", DROPPED_LINES, "#db", DROPPED_BYTES, "#ttl", Items.TTL))
                .expressionAttributeValues(Map.of(":dl", n(lines), ":db", n(bytes), ":ttl", n(ttl))));
    }

    /** Stores {@code lines} numbered from {@code after + 1}; a failed batch leaves a gap, never a repeat. */
    private void write(String runId, List<LogLine> lines, long after, long ttl) {
        List<WriteRequest> puts = new ArrayList<>(lines.size());
        long seq = after;
        for (LogLine line : lines) {
            seq++;
            puts.add(WriteRequest.builder().putRequest(PutRequest.builder().item(Items.logLine(runId, line.withSeq(seq), ttl))
                    .build()).build());
        }
        table.batches.write(puts);
    }

    @Override
    public LogSlice logs(String runId, long afterSeq, int limit) {
        Table.checkLimit(limit);
        // The counter first, then no line past it: a marker never lands before a line that was not read yet.
        Map<String, AttributeValue> counter = table.get(Keys.logSequence(runId)).orElse(Map.of());
        long last = Items.number(counter, Items.SEQ, 0);
        String at = Items.string(counter, TRUNCATED_AT);
        LogTotals totals = at == null ? LogTotals.EMPTY : new LogTotals(last, Items.number(counter, BYTES, 0),
                Items.number(counter, DROPPED_LINES, 0), Items.number(counter, DROPPED_BYTES, 0), Instant.parse(at));
        List<LogLine> lines = new ArrayList<>();
        if (afterSeq < last) {
            String from = Keys.logLine(Math.max(afterSeq + 1, 0));
            Map<String, AttributeValue> start = null;
            do {
                QueryRequest.Builder request = QueryRequest.builder().tableName(table.name).consistentRead(true)
                        .keyConditionExpression("#pk = :pk AND #sk BETWEEN :from AND :to")
                        .expressionAttributeNames(Map.of("#pk", Keys.PK, "#sk", Keys.SK))
                        .expressionAttributeValues(Map.of(":pk", s(Keys.runPartition(runId)), ":from", s(from),
                                ":to", s(Keys.logLine(last))))
                        .limit(limit - lines.size());
                if (start != null) request.exclusiveStartKey(start);
                QueryResponse response = table.client.query(request.build());
                response.items().forEach(item -> lines.add(Items.logLine(item)));
                start = Table.next(response);
            } while (start != null && lines.size() < limit);
        }
        return LogSlice.of(lines, totals, last, afterSeq, limit);
    }

    /** An item's size as DynamoDB counts it: names and values in UTF-8, numbers at their largest (21 bytes). */
    static long itemSize(Map<String, AttributeValue> item) {
        long size = 0;
        for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
            size += e.getKey().getBytes(StandardCharsets.UTF_8).length;
            AttributeValue v = e.getValue();
            if (v.s() != null) size += v.s().getBytes(StandardCharsets.UTF_8).length;
            else if (v.n() != null) size += 21;
            else size += 1;
        }
        return size;
    }
}
