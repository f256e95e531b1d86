package dev.ferry.aws.dynamodb;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.Json;
import dev.ferry.core.events.Event;
import dev.ferry.core.events.EventFeed;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * The table's stream read as an {@link EventFeed}, for an automation engine that runs outside
 * Lambda ({@code ferry server start --aws}, tests). In AWS the stream invokes the automations
 * function instead, filtered to new event items. The position is each shard's last sequence
 * number read, as JSON; the stream holds every change of the table, of which only new event
 * items are events.
 */
public final class DynamoDbStreamFeed implements EventFeed {
    private final DynamoDbStreamsClient streams;
    private final String streamArn;

    public DynamoDbStreamFeed(DynamoDbStreamsClient streams, String streamArn) {
        this.streams = Objects.requireNonNull(streams, "streams");
        this.streamArn = Objects.requireNonNull(streamArn, "streamArn");
    }

    @Override
    public Batch after(String position, int limit) {
        Map<String, String> read = new LinkedHashMap<>();
        if (position != null) Json.tree(position).fields().forEachRemaining(f -> read.put(f.getKey(), f.getValue().asText()));
        List<Event> events = new ArrayList<>();
        for (Shard shard : streams.describeStream(r -> r.streamArn(streamArn)).streamDescription().shards()) {
            String after = read.get(shard.shardId());
            String iterator = streams.getShardIterator(r -> {
                r.streamArn(streamArn).shardId(shard.shardId());
                if (after == null) r.shardIteratorType(ShardIteratorType.TRIM_HORIZON);
                else r.shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER).sequenceNumber(after);
            }).shardIterator();
            // a few reads at most: the records of other items may fill a read without an event among them
            for (int reads = 0; iterator != null && reads < 10 && events.size() < limit; reads++) {
                String it = iterator;
                GetRecordsResponse response = streams.getRecords(r -> r.shardIterator(it).limit(Math.min(1000, limit * 10)));
                for (Record record : response.records()) {
                    read.put(shard.shardId(), record.dynamodb().sequenceNumber());
                    Event event = event(record);
                    if (event != null) events.add(event);
                    if (events.size() == limit) break;
                }
                if (response.records().isEmpty()) break;
                iterator = response.nextShardIterator();
            }
        }
        ObjectNode next = Json.MAPPER.createObjectNode();
        read.forEach(next::put);
        return new Batch(events, next.toString());
    }

    private static Event event(Record record) {
        if (!"INSERT".equals(record.eventNameAsString())) return null;
        Map<String, AttributeValue> image = record.dynamodb().newImage();
        AttributeValue pk = image.get(Keys.PK);
        AttributeValue doc = image.get(Items.DOC);
        return DynamoDbEvents.stored(pk == null ? null : pk.s(), doc == null ? null : doc.s());
    }

    /** The stream of the table, which {@link Tables#create} turns on. */
    public static String streamArn(software.amazon.awssdk.services.dynamodb.DynamoDbClient dynamoDb, String tableName) {
        String arn = dynamoDb.describeTable(r -> r.tableName(tableName)).table().latestStreamArn();
        if (arn == null) throw new IllegalStateException("table " + tableName + " has no stream; the automations need one");
        return arn;
    }
}
