package dev.ferry.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.Store;
import dev.ferry.core.StoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreTest extends StoreContract {
    @TempDir
    Path dir;
    private Database db;

    @Override
    protected Store newStore() {
        db = Database.open(dir.resolve("ferry.db"));
        return new SqliteStore(db);
    }

    @AfterEach
    void closeDatabase() {
        db.close();
    }

    @Test
    void saveWorker_isDropped_whenItsPoolWasDeleted() {
        Setup s = setup();
        store.deletePool(s.pool().id());

        store.saveWorker(worker(s.pool(), "late-heartbeat", T0));

        assertThat(store.workers(s.pool().id())).isEmpty();
    }
}
