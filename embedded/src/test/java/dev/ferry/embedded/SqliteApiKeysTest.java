package dev.ferry.embedded;

import dev.ferry.core.auth.ApiKeys;
import dev.ferry.core.auth.ApiKeysContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

class SqliteApiKeysTest extends ApiKeysContract {
    @TempDir
    Path dir;
    private Database db;

    @Override
    protected ApiKeys newApiKeys() {
        db = Database.open(dir.resolve("ferry.db"));
        return new SqliteApiKeys(db);
    }

    @AfterEach
    void closeDatabase() {
        db.close();
    }
}
