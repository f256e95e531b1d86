package dev.ferry.aws.dynamodb;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Small values by key in Ferry's table: schedule cursors and task-definition ARNs, each under a prefix of its own. */
final class NamedValues {
    private final Table table;
    private final String prefix;

    NamedValues(Table table, String prefix) {
        this.table = Objects.requireNonNull(table, "table");
        this.prefix = prefix;
    }

    Optional<String> get(String name) {
        return table.get(Keys.namedValue(prefix + name)).map(item -> item.get(Items.VALUE).s());
    }

    void put(String name, String value) {
        Map<String, AttributeValue> item = new HashMap<>(Keys.namedValue(prefix + name));
        item.put(Items.VALUE, AttributeValue.fromS(value));
        table.client.putItem(b -> b.tableName(table.name).item(item));
    }

    void delete(String name) {
        table.deleteItem(Keys.namedValue(prefix + name));
    }
}
