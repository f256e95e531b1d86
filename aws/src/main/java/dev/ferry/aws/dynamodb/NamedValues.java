package dev.ferry.aws.dynamodb;

import static dev.ferry.aws.dynamodb.Items.s;

import dev.ferry.core.common.Page;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Small values by key in Ferry's table: schedule cursors, task-definition ARNs and the janitor's
 * checkpoints, each under a prefix of its own. A value may carry a time it is due at, which puts
 * it in the sparse "heal" index, where {@link #due} finds it.
 */
final class NamedValues {
    private static final String DUE = "due";
    private final Table table;
    private final String prefix;

    NamedValues(Table table, String prefix) {
        this.table = Objects.requireNonNull(table, "table");
        this.prefix = prefix;
    }

    /** A value, and when it is due (null: never). */
    record Entry(String value, Instant due) {}

    Optional<String> get(String name) {
        return entry(name).map(Entry::value);
    }

    Optional<Entry> entry(String name) {
        return table.get(Keys.namedValue(prefix + name)).map(item -> new Entry(item.get(Items.VALUE).s(),
                item.containsKey(DUE) ? Instant.parse(item.get(DUE).s()) : null));
    }

    void put(String name, String value) {
        put(name, value, null);
    }

    void put(String name, String value, Instant due) {
        Map<String, AttributeValue> item = new HashMap<>(Keys.namedValue(prefix + name));
        item.put(Items.VALUE, s(value));
        if (due != null) {
            item.put(DUE, s(due.toString()));
            Items.index(item, Keys.HEAL, Keys.valuesDue(prefix), Keys.runOrder(due, name));
        }
        table.client.putItem(b -> b.tableName(table.name).item(item));
    }

    /** Writes {@code value} if the stored one is still {@code expected} (null: none is); false otherwise. */
    boolean putIf(String name, String expected, String value) {
        Map<String, AttributeValue> item = new HashMap<>(Keys.namedValue(prefix + name));
        item.put(Items.VALUE, s(value));
        Expr condition = expected == null ? Expr.absent()
                : new Expr("#v = :expected", Map.of("#v", Items.VALUE), Map.of(":expected", s(expected)));
        try {
            table.putItem(item, condition);
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    void delete(String name) {
        table.deleteItem(Keys.namedValue(prefix + name));
    }

    /** Names (without the prefix) of the values due in {@code (after, until]}, as the index has them. */
    Page<String> due(Instant after, Instant until, int limit, String cursor) {
        TimeIndex.Hits hits = TimeIndex.window(table, Keys.HEAL, Keys.valuesDue(prefix), after, until, limit, cursor,
                Cursors.VALUES_DUE);
        String key = Keys.VALUE_PREFIX + prefix;
        return new Page<>(hits.page().stream().map(hit -> hit.get(Keys.PK).s().substring(key.length())).toList(), hits.next());
    }
}
