package dev.ferry.embedded;

import dev.ferry.core.ecs.TaskDefinitions;
import java.util.Optional;

/** {@link TaskDefinitions} in the embedded database, under the keys of old. */
public final class SqliteTaskDefinitions implements TaskDefinitions {
    private final NamedValues values;

    public SqliteTaskDefinitions(Database db) {
        this.values = new NamedValues(db, "ecs:task-definition:");
    }

    @Override
    public Optional<String> taskDefinition(String contentHash) {
        return values.get(contentHash);
    }

    @Override
    public void rememberTaskDefinition(String contentHash, String arn) {
        values.put(contentHash, arn);
    }

    @Override
    public void forgetTaskDefinition(String contentHash) {
        values.delete(contentHash);
    }
}
