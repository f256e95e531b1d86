package dev.ferry.embedded;

import dev.ferry.core.ecs.TaskDefinitions;
import dev.ferry.core.ecs.TaskDefinitionsContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class SqliteTaskDefinitionsTest extends TaskDefinitionsContract {
    @RegisterExtension
    final FreshDatabase db = new FreshDatabase();

    @Override
    protected TaskDefinitions newTaskDefinitions() {
        return new SqliteTaskDefinitions(db.get());
    }
}
