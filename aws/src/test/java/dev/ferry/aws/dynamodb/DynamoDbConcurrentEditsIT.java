package dev.ferry.aws.dynamodb;

import dev.ferry.aws.sqs.SqsWorkQueues;
import dev.ferry.aws.testing.Emulator;
import dev.ferry.aws.testing.ThreadRacesOnMoto;
import dev.ferry.core.Ferry;
import dev.ferry.core.api.ConcurrentEditsContract;
import dev.ferry.core.api.Router;
import dev.ferry.core.auth.ApiKeyService;
import dev.ferry.core.auth.BootstrapKey;
import dev.ferry.core.common.Ids;
import dev.ferry.core.scheduler.ManualTimer;
import dev.ferry.core.testing.TestApi;
import dev.ferry.core.testing.TestApi.Response;
import dev.ferry.core.testing.TestClock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Concurrent edits through the API on DynamoDB and SQS in the emulator. moto is not atomic under
 * concurrent requests, so the contract's thread races are replaced by the same races forced: each
 * request is overtaken by the next one after it read the record and built its conditional write,
 * and before it sent it, the worst moment. The last one lands first; every other one finds its
 * write stale and applies its change again to what is stored.
 */
@ExtendWith({Emulator.class, ThreadRacesOnMoto.class})
class DynamoDbConcurrentEditsIT extends ConcurrentEditsContract {
    private static DynamoDbClient raw;
    private static InterceptingClient client;

    @Override
    protected TestApi newApi() {
        Emulator.reset();
        if (raw == null) {
            raw = Emulator.dynamoDb();
            client = new InterceptingClient(raw);
        }
        String table = "ferry-" + UUID.randomUUID();
        Tables.create(raw, table);
        TestClock clock = TestClock.ticking();
        ManualTimer timer = new ManualTimer();
        ApiKeyService auth = new ApiKeyService(new DynamoDbApiKeys(raw, table), BootstrapKey.none(), clock, Ids.RANDOM);
        Ferry ferry = Ferry.wire(DynamoDbAdapters.ports(client, table,
                new SqsWorkQueues(Emulator.sqs(), "ferry-" + table.substring(6, 14) + "-", clock), timer), clock, Ids.RANDOM,
                auth.runTokens());
        return new TestApi(ferry, new Router(ferry, clock, auth), clock, timer, auth, () -> {});
    }

    @ParameterizedTest(name = "{0} writers")
    @ValueSource(ints = {16, 64})
    void concurrentScheduleCreates_storeEveryAcknowledgedSchedule_andArmOnlyThose_forcedInterleaving(int writers)
            throws Exception {
        Response[] answers = new Response[writers];
        for (int i = 1; i < writers; i++) {
            int k = i; // writer k - 1 is overtaken by writer k
            client.beforeNextPut(() -> answers[k] = call(() -> addSchedule(k).call()));
        }

        answers[0] = addSchedule(0).call();

        assertAcknowledgedSchedulesStoredAndArmed(Arrays.asList(answers), writers);
    }

    @Test
    void concurrentPoolPatches_ofDifferentFields_allLand_forcedInterleaving() {
        Response[] answers = new Response[3];
        client.beforeNextPut(() -> answers[1] = api.patch("/api/work_pools/pool", "{\"concurrency_limit\": 2}"));
        client.beforeNextPut(() -> answers[2] = api.patch("/api/work_pools/pool", "{\"is_paused\": true}"));

        answers[0] = api.patch("/api/work_pools/pool", "{\"description\": \"round 2\"}");

        assertAllSucceeded(Arrays.asList(answers));
        assertPoolHasEveryPatch(2);
    }

    @Test
    void concurrentQueuePatches_ofDifferentFields_allLand_forcedInterleaving() {
        String queue = "/api/work_pools/pool/queues/default";
        Response[] answers = new Response[4];
        client.beforeNextUpdate(() -> answers[1] = api.patch(queue, "{\"priority\": 3}"));
        client.beforeNextUpdate(() -> answers[2] = api.patch(queue, "{\"concurrency_limit\": 2}"));
        client.beforeNextUpdate(() -> answers[3] = api.patch(queue, "{\"is_paused\": true}"));

        answers[0] = api.patch(queue, "{\"description\": \"round 2\"}");

        assertAllSucceeded(Arrays.asList(answers));
        assertQueueHasEveryPatch(2);
    }

    @Test
    void aPauseRacingTheJanitorsResume_isNeverErased_whenThePauseLandsFirst_forcedInterleaving() {
        pauseUntilItIsDue();
        Response[] pause = new Response[1];
        client.beforeNextPut(() -> pause[0] = api.post("/api/deployments/" + deploymentId + "/pause", "{\"note\": \"keep me\"}"));

        api.ferry.schedules().heal(Duration.ofMinutes(3));

        assertAllSucceeded(List.of(pause[0]));
        assertPausedWithNote("keep me");
    }

    @Test
    void aPauseRacingTheJanitorsResume_isNeverErased_whenTheResumeLandsFirst_forcedInterleaving() {
        pauseUntilItIsDue();
        client.beforeNextPut(() -> api.ferry.schedules().heal(Duration.ofMinutes(3)));

        Response pause = api.post("/api/deployments/" + deploymentId + "/pause", "{\"note\": \"keep me\"}");

        assertAllSucceeded(List.of(pause));
        assertPausedWithNote("keep me");
    }

    @Test
    void redeploysRacingScheduleCreates_keepEveryAcknowledgedSchedule_forcedInterleaving() throws Exception {
        int writers = 8;
        Response[] answers = new Response[2 * writers];
        for (int i = 1; i < 2 * writers; i++) {
            int k = i; // a schedule create is overtaken by a redeploy, which is overtaken by the next create, ...
            client.beforeNextPut(() -> answers[k] = k % 2 == 0 ? call(() -> addSchedule(k / 2).call()) : redeploy());
        }

        answers[0] = addSchedule(0).call();

        assertAllSucceeded(Arrays.asList(answers));
        assertAcknowledgedSchedulesStoredAndArmed(Arrays.stream(answers).filter(r -> r.status() == 201).toList(), writers);
    }

    private static Response call(java.util.concurrent.Callable<Response> request) {
        try {
            return request.call();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
