package dev.ferry.aws.dynamodb;

import static dev.ferry.aws.dynamodb.Items.n;
import static dev.ferry.aws.dynamodb.Items.s;

import dev.ferry.core.triggers.TriggerStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * {@link TriggerStore} in Ferry's table: an entry is an item in its group's partition, a
 * commit one {@code TransactWriteItems} whose conditions are the changes' own. An entry with a
 * {@code due} time is also in the kind index's "due" partition, sorted by it; {@code expires}
 * becomes the item's {@code ttl}.
 */
public final class DynamoDbTriggerStore implements TriggerStore {
    private static final String GROUP = "group";
    private static final String ITEM = "item";

    private final Table table;

    DynamoDbTriggerStore(Table table) {
        this.table = Objects.requireNonNull(table, "table");
    }

    @Override
    public Optional<Entry> get(Key key) {
        return table.get(Keys.triggerEntry(key.group(), key.item())).map(DynamoDbTriggerStore::entry);
    }

    @Override
    public boolean commit(List<Change> changes) {
        if (changes.size() > MAX_CHANGES) throw new IllegalArgumentException("a commit holds at most " + MAX_CHANGES + " changes");
        List<TransactWriteItem> writes = new ArrayList<>(changes.size());
        for (Change c : changes) {
            Map<String, AttributeValue> key = Keys.triggerEntry(c.key().group(), c.key().item());
            writes.add(switch (c.kind()) {
                case CREATE -> table.put(item(c, 1), Expr.absent());
                case REPLACE -> table.put(item(c, c.expectedRevision() + 1), Expr.revision(c.expectedRevision()));
                case DELETE -> table.delete(key, Expr.revision(c.expectedRevision()));
                case PUT -> table.put(item(c, 1), Expr.none());
            });
        }
        List<CancellationReason> refused = table.transact(writes);
        if (refused == null) return true;
        for (int i = 0; i < changes.size(); i++) if (Table.failed(refused, i)) return false;
        throw new IllegalStateException("a trigger-state commit was refused: " + Table.codes(refused));
    }

    @Override
    public List<Entry> scan(String group, String after, boolean descending, int limit) {
        Table.checkLimit(limit);
        Map<String, String> names = new HashMap<>(Map.of("#pk", Keys.PK));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":pk", s(Keys.triggerGroup(group))));
        String condition = "#pk = :pk";
        if (after != null) {
            names.put("#sk", Keys.SK);
            values.put(":after", s(after));
            condition += descending ? " AND #sk < :after" : " AND #sk > :after";
        }
        List<Entry> found = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryRequest.Builder request = QueryRequest.builder().tableName(table.name).consistentRead(true)
                    .keyConditionExpression(condition).expressionAttributeNames(names).expressionAttributeValues(values)
                    .scanIndexForward(!descending).limit(limit - found.size());
            if (start != null) request.exclusiveStartKey(start);
            QueryResponse response = table.client.query(request.build());
            response.items().forEach(item -> found.add(entry(item)));
            start = Table.next(response);
        } while (start != null && found.size() < limit);
        return found;
    }

    @Override
    public List<Entry> due(Instant by, int limit) {
        Table.checkLimit(limit);
        // The index is eventually consistent and holds only keys: each entry is read again, and kept if still due.
        QueryResponse response = table.client.query(QueryRequest.builder().tableName(table.name).indexName(Keys.KIND)
                .keyConditionExpression("#ipk = :due AND #isk < :by")
                .expressionAttributeNames(Map.of("#ipk", Keys.pk(Keys.KIND), "#isk", Keys.sk(Keys.KIND)))
                .expressionAttributeValues(Map.of(":due", s(Keys.triggersDue()), ":by", s(Keys.eventOrder(nanos(by), "\uffff"))))
                .scanIndexForward(true).limit(limit).build());
        List<Entry> due = new ArrayList<>();
        for (Map<String, AttributeValue> key : response.items()) {
            table.get(Table.tableKey(key)).map(DynamoDbTriggerStore::entry)
                    .filter(e -> e.due() != null && !e.due().isAfter(by)).ifPresent(due::add);
        }
        return due;
    }

    /** DynamoDB's TTL deletes expired entries. */
    @Override
    public void purge(Instant now) {}

    private static Map<String, AttributeValue> item(Change c, long revision) {
        Map<String, AttributeValue> item = new HashMap<>(Keys.triggerEntry(c.key().group(), c.key().item()));
        item.put(GROUP, s(c.key().group()));
        item.put(ITEM, s(c.key().item()));
        item.put(Items.REVISION, n(revision));
        if (c.doc() != null) item.put(Items.DOC, s(c.doc()));
        if (c.expires() != null) item.put(Items.TTL, n(c.expires().getEpochSecond()));
        if (c.due() != null) {
            item.put("due", n(nanos(c.due())));
            item.put(Keys.pk(Keys.KIND), s(Keys.triggersDue()));
            item.put(Keys.sk(Keys.KIND), s(Keys.eventOrder(nanos(c.due()), c.key().group() + "#" + c.key().item())));
        }
        return item;
    }

    private static Entry entry(Map<String, AttributeValue> item) {
        AttributeValue due = item.get("due");
        return new Entry(new Key(Items.string(item, GROUP), Items.string(item, ITEM)), Items.number(item, Items.REVISION, 0),
                Items.string(item, Items.DOC), due == null ? null : instant(Long.parseLong(due.n())));
    }

    private static long nanos(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    }

    private static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }
}
