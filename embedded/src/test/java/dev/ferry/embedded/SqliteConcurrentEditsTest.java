package dev.ferry.embedded;

import dev.ferry.core.Ferry;
import dev.ferry.core.api.ConcurrentEditsContract;
import dev.ferry.core.api.Router;
import dev.ferry.core.auth.ApiKeyService;
import dev.ferry.core.auth.BootstrapKey;
import dev.ferry.core.common.Ids;
import dev.ferry.core.scheduler.ManualTimer;
import dev.ferry.core.testing.TestApi;
import dev.ferry.core.testing.TestClock;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Concurrent edits through the API on the SQLite adapters: real threads, real group commits. */
class SqliteConcurrentEditsTest extends ConcurrentEditsContract {
    @TempDir
    Path dir;

    @Override
    protected TestApi newApi() {
        Database database = Database.open(dir.resolve("ferry.db"));
        TestClock clock = TestClock.ticking();
        ManualTimer timer = new ManualTimer();
        ApiKeyService auth = new ApiKeyService(new SqliteApiKeys(database), BootstrapKey.ofKey(null), clock, Ids.RANDOM);
        Ferry ferry = Ferry.wire(SqliteAdapters.ports(database, clock, timer), clock, Ids.RANDOM, auth.runTokens());
        return new TestApi(ferry, new Router(ferry, clock, auth), clock, timer, database);
    }
}
