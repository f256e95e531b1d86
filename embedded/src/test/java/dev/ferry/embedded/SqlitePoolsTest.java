package dev.ferry.embedded;

import static dev.ferry.core.testing.Fixtures.T0;
import static dev.ferry.core.testing.Fixtures.worker;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.pools.PoolStore;
import dev.ferry.core.pools.PoolStoreContract;
import dev.ferry.core.pools.WorkPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SqlitePoolsTest extends PoolStoreContract {
    @RegisterExtension
    final FreshDatabase db = new FreshDatabase();

    @Override
    protected PoolStore newPools() {
        return new SqlitePools(db.get());
    }

    @Test
    void saveWorker_isDropped_whenItsPoolWasDeleted() {
        WorkPool pool = createdPool("pool-a");
        store.deletePool(pool.id());

        store.saveWorker(worker(pool, "late-heartbeat", T0));

        assertThat(store.workers(pool.id())).isEmpty();
    }
}
