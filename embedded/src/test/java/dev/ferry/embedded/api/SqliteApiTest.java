package dev.ferry.embedded.api;

import dev.ferry.core.Ferry;
import dev.ferry.core.Settings;
import dev.ferry.core.api.ApiKeyRoutesContract;
import dev.ferry.core.api.AuthorizationMatrixContract;
import dev.ferry.core.api.AutomationsContract;
import dev.ferry.core.api.BadInputContract;
import dev.ferry.core.api.ConcurrentEditsContract;
import dev.ferry.core.api.ControlPlaneContract;
import dev.ferry.core.api.EventsContract;
import dev.ferry.core.api.Router;
import dev.ferry.core.api.SchedulesContract;
import dev.ferry.core.api.WebhooksContract;
import dev.ferry.core.auth.ApiKeyService;
import dev.ferry.core.auth.BootstrapKey;
import dev.ferry.core.common.Ids;
import dev.ferry.core.scheduler.ManualTimer;
import dev.ferry.core.testing.TestApi;
import dev.ferry.core.testing.TestClock;
import dev.ferry.embedded.Database;
import dev.ferry.embedded.SqliteAdapters;
import dev.ferry.embedded.SqliteApiKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;

/** The API's behaviour suites on the embedded adapters: a SQLite file of its own per API, wired as EmbeddedServer wires it. */
class SqliteApiTest {

    static TestApi newApi(String adminKey) {
        return newApi(adminKey, Settings.DEFAULTS);
    }

    static TestApi newApi(String adminKey, Settings settings) {
        Path dir = tempDir();
        Database database = Database.open(dir.resolve("ferry.db"));
        TestClock clock = TestClock.ticking();
        ManualTimer timer = new ManualTimer();
        ApiKeyService auth = new ApiKeyService(new SqliteApiKeys(database), BootstrapKey.ofKey(adminKey), clock, Ids.RANDOM);
        Ferry ferry = Ferry.wire(SqliteAdapters.ports(database, clock, timer), clock, Ids.RANDOM, auth.runTokens(), null,
                settings);
        return new TestApi(ferry, new Router(ferry, clock, auth), clock, timer, auth, () -> {
            database.close();
            delete(dir);
        });
    }

    @Nested
    class ControlPlane extends ControlPlaneContract {
        @Override
        protected TestApi newApi(String adminKey) {
            return SqliteApiTest.newApi(adminKey);
        }

        @Override
        protected TestApi newApi(String adminKey, dev.ferry.core.Settings settings) {
            return SqliteApiTest.newApi(adminKey, settings);
        }
    }

    @Nested
    class Schedules extends SchedulesContract {
        @Override
        protected TestApi newApi(String adminKey) {
            return SqliteApiTest.newApi(adminKey);
        }
    }

    @Nested
    class BadInput extends BadInputContract {
        @Override
        protected TestApi newApi(String adminKey) {
            return SqliteApiTest.newApi(adminKey);
        }
    }

    @Nested
    class AuthorizationMatrix extends AuthorizationMatrixContract {
        @Override
        protected TestApi newApi(String adminKey) {
            return SqliteApiTest.newApi(adminKey);
        }
    }

    @Nested
    class ApiKeyRoutes extends ApiKeyRoutesContract {
        @Override
        protected TestApi newApi(String adminKey) {
            return SqliteApiTest.newApi(adminKey);
        }
    }

    @Nested
    class Events extends EventsContract {
        @Override
        protected TestApi newApi(String adminKey) {
            return SqliteApiTest.newApi(adminKey);
        }
    }

    @Nested
    class Automations extends AutomationsContract {
        @Override
        protected TestApi newApi(String adminKey) {
            return SqliteApiTest.newApi(adminKey);
        }

        @Override
        protected TestApi newApi(String adminKey, Settings settings) {
            return SqliteApiTest.newApi(adminKey, settings);
        }
    }

    @Nested
    class Webhooks extends WebhooksContract {
        @Override
        protected TestApi newApi(String adminKey) {
            return SqliteApiTest.newApi(adminKey);
        }
    }

    /** Real threads on one SQLite file: its group commits are what the races go through. */
    @Nested
    class ConcurrentEdits extends ConcurrentEditsContract {
        @Override
        protected TestApi newApi() {
            return SqliteApiTest.newApi(null);
        }
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("ferry-api-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
