package dev.ferry.aws;

import dev.ferry.aws.dynamodb.DynamoDbAdapters;
import dev.ferry.aws.dynamodb.DynamoDbApiKeys;
import dev.ferry.aws.dynamodb.DynamoDbRunLogs;
import dev.ferry.aws.dynamodb.DynamoDbStreamFeed;
import dev.ferry.aws.dynamodb.Tables;
import dev.ferry.aws.sqs.SqsWorkQueues;
import dev.ferry.aws.testing.Emulator;
import dev.ferry.aws.testing.RealTimeQueues;
import dev.ferry.aws.testing.ThreadRacesOnMoto;
import dev.ferry.core.Ferry;
import dev.ferry.core.Ports;
import dev.ferry.core.Settings;
import dev.ferry.core.api.ApiKeyRoutesContract;
import dev.ferry.core.api.AuthorizationMatrixContract;
import dev.ferry.core.api.AutomationsContract;
import dev.ferry.core.api.BadInputContract;
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
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The API's behaviour suites on DynamoDB and SQS in the emulator, wired as the Lambda handlers
 * wire them but with a test timer: each API gets a table and SQS queue names of its own. What
 * moto cannot show (thread races, delays that follow the test clock) is left out with the reason.
 */
@ExtendWith({Emulator.class, ThreadRacesOnMoto.class, RealTimeQueues.class})
class AwsApiIT {

    static TestApi newApi(String adminKey) {
        return newApi(adminKey, Settings.DEFAULTS);
    }

    static TestApi newApi(String adminKey, Settings settings) {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String table = "ferry-" + id;
        Tables.create(Emulator.dynamoDb(), table);
        TestClock clock = TestClock.ticking();
        ManualTimer timer = new ManualTimer();
        ApiKeyService auth = new ApiKeyService(new DynamoDbApiKeys(Emulator.dynamoDb(), table), BootstrapKey.ofKey(adminKey),
                clock, Ids.RANDOM);
        Ports ports = DynamoDbAdapters.ports(Emulator.dynamoDb(), table, DynamoDbRunLogs.DEFAULT_RETENTION, clock,
                new SqsWorkQueues(Emulator.sqs(), table + "-", clock), timer);
        // the engine follows the table's stream, as the automations function does in AWS
        ports = DynamoDbAdapters.followingStream(ports, Emulator.dynamoDbStreams(),
                DynamoDbStreamFeed.streamArn(Emulator.dynamoDb(), table));
        Ferry ferry = Ferry.wire(ports, clock, Ids.RANDOM, auth.runTokens(), null, settings);
        return new TestApi(ferry, new Router(ferry, clock, auth), clock, timer, auth, () -> {});
    }

    @Nested
    class ControlPlane extends ControlPlaneContract {
        @Override
        protected TestApi newApi(String adminKey) {
            return AwsApiIT.newApi(adminKey);
        }

        @Override
        protected TestApi newApi(String adminKey, dev.ferry.core.Settings settings) {
            return AwsApiIT.newApi(adminKey, settings);
        }
    }

    @Nested
    class Schedules extends SchedulesContract {
        @Override
        protected TestApi newApi(String adminKey) {
            return AwsApiIT.newApi(adminKey);
        }
    }

    @Nested
    class BadInput extends BadInputContract {
        @Override
        protected TestApi newApi(String adminKey) {
            return AwsApiIT.newApi(adminKey);
        }
    }

    @Nested
    class AuthorizationMatrix extends AuthorizationMatrixContract {
        @Override
        protected TestApi newApi(String adminKey) {
            return AwsApiIT.newApi(adminKey);
        }
    }

    @Nested
    class ApiKeyRoutes extends ApiKeyRoutesContract {
        @Override
        protected TestApi newApi(String adminKey) {
            return AwsApiIT.newApi(adminKey);
        }
    }

    @Nested
    class Events extends EventsContract {
        @Override
        protected TestApi newApi(String adminKey) {
            return AwsApiIT.newApi(adminKey);
        }
    }

    @Nested
    class Automations extends AutomationsContract {
        @Override
        protected TestApi newApi(String adminKey) {
            return AwsApiIT.newApi(adminKey);
        }

        @Override
        protected TestApi newApi(String adminKey, Settings settings) {
            return AwsApiIT.newApi(adminKey, settings);
        }
    }

    @Nested
    class Webhooks extends WebhooksContract {
        @Override
        protected TestApi newApi(String adminKey) {
            return AwsApiIT.newApi(adminKey);
        }
    }
}
