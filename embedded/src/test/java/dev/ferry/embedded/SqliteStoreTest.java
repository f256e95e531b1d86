package dev.ferry.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.StoreContract;
import dev.ferry.core.common.Clock;
import dev.ferry.core.scheduler.ManualTimer;
import dev.ferry.core.testing.StoreSet;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreTest extends StoreContract {
    @TempDir
    Path dir;
    private Database db;

    @Override
    protected StoreSet newStore() {
        db = Database.open(dir.resolve("ferry.db"));
        return StoreSet.of(SqliteAdapters.ports(db, Clock.SYSTEM, new ManualTimer()));
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
