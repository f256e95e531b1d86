package dev.ferry.core.api;

import dev.ferry.core.testing.InMemoryAdapters;
import dev.ferry.core.testing.TestApi;
import org.junit.jupiter.api.Nested;

/**
 * The API's behaviour suites on the in-memory adapters: claims, limits, the janitor, schedules and
 * who may call what, proven in core alone and in seconds.
 */
class InMemoryApiTest {

    @Nested
    class ControlPlane extends ControlPlaneContract {
        @Override
        protected TestApi newApi(String adminKey) {
            return InMemoryAdapters.api(adminKey);
        }

        @Override
        protected TestApi newApi(String adminKey, dev.ferry.core.Settings settings) {
            return InMemoryAdapters.api(adminKey, settings);
        }
    }

    @Nested
    class Schedules extends SchedulesContract {
        @Override
        protected TestApi newApi(String adminKey) {
            return InMemoryAdapters.api(adminKey);
        }
    }

    @Nested
    class BadInput extends BadInputContract {
        @Override
        protected TestApi newApi(String adminKey) {
            return InMemoryAdapters.api(adminKey);
        }
    }

    @Nested
    class AuthorizationMatrix extends AuthorizationMatrixContract {
        @Override
        protected TestApi newApi(String adminKey) {
            return InMemoryAdapters.api(adminKey);
        }
    }

    @Nested
    class ApiKeyRoutes extends ApiKeyRoutesContract {
        @Override
        protected TestApi newApi(String adminKey) {
            return InMemoryAdapters.api(adminKey);
        }
    }

    @Nested
    class ConcurrentEdits extends ConcurrentEditsContract {
        @Override
        protected TestApi newApi() {
            return InMemoryAdapters.api(null);
        }
    }

    @Nested
    class Events extends EventsContract {
        @Override
        protected TestApi newApi(String adminKey) {
            return InMemoryAdapters.api(adminKey);
        }
    }

    @Nested
    class Automations extends AutomationsContract {
        @Override
        protected TestApi newApi(String adminKey) {
            return InMemoryAdapters.api(adminKey);
        }

        @Override
        protected TestApi newApi(String adminKey, dev.ferry.core.Settings settings) {
            return InMemoryAdapters.api(adminKey, settings);
        }
    }

    @Nested
    class Webhooks extends WebhooksContract {
        @Override
        protected TestApi newApi(String adminKey) {
            return InMemoryAdapters.api(adminKey);
        }
    }
}
