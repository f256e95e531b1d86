package dev.ferry.functions.schedules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.Ferry;
import dev.ferry.core.common.Json;
import dev.ferry.core.deployments.DeploymentService;
import dev.ferry.core.pools.PoolService;
import dev.ferry.core.pools.PoolType;
import dev.ferry.core.ports.Clock;
import dev.ferry.core.ports.Ids;
import dev.ferry.core.schedules.Firing;
import dev.ferry.functions.ScheduleFunction;
import dev.ferry.functions.dynamodb.DynamoDbStore;
import dev.ferry.functions.sqs.SqsWorkQueues;
import dev.ferry.functions.testing.Emulator;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.scheduler.model.GetScheduleResponse;
import software.amazon.awssdk.services.scheduler.model.ScheduleSummary;

/**
 * The EventBridge Scheduler timer on the emulator: what a pending firing looks like there, that
 * re-arming replaces it, that disarming and deleting a deployment clean up, and the whole loop
 * (deploy, EventBridge delivers the stored input to ScheduleFunction, the next firing is armed,
 * the janitor re-creates a firing that went missing). The emulator never fires a schedule, so the
 * test delivers the input it stored, as EventBridge would.
 */
@ExtendWith(Emulator.class)
class EventBridgeTimerIT {
    private static final SchedulerClient SCHEDULER = Emulator.scheduler();
    private static final String GROUP = "ferry-timer";

    private EventBridgeTimer timer;

    @BeforeEach
    void emptyAccount() {
        Emulator.reset();
        SCHEDULER.createScheduleGroup(b -> b.name(GROUP));
        timer = new EventBridgeTimer(SCHEDULER, Emulator.scheduling(GROUP));
    }

    private List<ScheduleSummary> schedules() {
        return SCHEDULER.listSchedulesPaginator(b -> b.groupName(GROUP)).schedules().stream().toList();
    }

    private GetScheduleResponse get(String name) {
        return SCHEDULER.getSchedule(b -> b.groupName(GROUP).name(name));
    }

    @Test
    void aFiring_isOneAtScheduleInUtc_targetingTheFunction_withRetriesAndADeadLetterQueue() {
        Firing firing = new Firing("dep-1", "nightly", Instant.parse("2027-03-28T01:30:00Z"));
        timer.arm(firing);

        GetScheduleResponse s = get(EventBridgeTimer.name(firing));
        assertThat(s.scheduleExpression()).isEqualTo("at(2027-03-28T01:30:00)");
        assertThat(s.scheduleExpressionTimezone()).isEqualTo("UTC");
        assertThat(s.stateAsString()).isEqualTo("ENABLED");
        assertThat(s.target().arn()).isEqualTo(Emulator.scheduling(GROUP).targetArn());
        assertThat(s.target().roleArn()).isEqualTo(Emulator.scheduling(GROUP).roleArn());
        assertThat(s.target().deadLetterConfig().arn()).isEqualTo(Emulator.scheduling(GROUP).deadLetterArn());
        assertThat(s.target().retryPolicy().maximumRetryAttempts()).isEqualTo(EventBridgeTimer.RETRY_ATTEMPTS);
        JsonNode input = Json.tree(s.target().input());
        assertThat(input.get("deployment_id").asText()).isEqualTo("dep-1");
        assertThat(input.get("slug").asText()).isEqualTo("nightly");
        assertThat(input.get("at").asText()).isEqualTo("2027-03-28T01:30:00Z");
        assertThat(input.get("scheduled_time").asText()).isEqualTo("<aws.scheduler.scheduled-time>");
        assertThat(timer.armed()).containsExactly(Map.entry(firing.timerKey(), firing.at()));
    }

    @Test
    void armingAgain_replacesThePendingFiring_armingTheSameIsHarmless_andDisarmingRemovesIt() {
        Firing first = new Firing("dep-1", "nightly", Instant.parse("2027-01-01T02:00:00Z"));
        Firing second = new Firing("dep-1", "nightly", Instant.parse("2027-01-02T02:00:00Z"));
        Firing other = new Firing("dep-2", "hourly", Instant.parse("2027-01-01T03:00:00Z"));
        timer.arm(first);
        timer.arm(other);
        timer.arm(second);
        timer.arm(second);

        assertThat(schedules()).extracting(ScheduleSummary::name)
                .containsExactlyInAnyOrder(EventBridgeTimer.name(second), EventBridgeTimer.name(other));
        assertThat(timer.armed()).containsOnly(Map.entry(second.timerKey(), second.at()), Map.entry(other.timerKey(), other.at()));

        timer.disarm(second.timerKey());
        timer.disarm(second.timerKey());
        assertThat(schedules()).extracting(ScheduleSummary::name).containsExactly(EventBridgeTimer.name(other));
    }

    @Test
    void expressions_areWholeSecondsInUtc_roundedUpNeverEarly() {
        assertThat(EventBridgeTimer.expression(Instant.parse("2026-11-01T05:30:00Z"))).isEqualTo("at(2026-11-01T05:30:00)");
        assertThat(EventBridgeTimer.expression(Instant.parse("2026-11-01T05:30:00.250Z"))).isEqualTo("at(2026-11-01T05:30:01)");
        assertThat(EventBridgeTimer.expression(Instant.parse("2026-12-31T23:59:59.999Z"))).isEqualTo("at(2027-01-01T00:00:00)");
    }

    @Test
    void theWholeLoop_deployFireRearmHealAndDelete() {
        String table = "ferry-" + UUID.randomUUID();
        DynamoDbStore.createTable(Emulator.dynamoDb(), table);
        Ferry ferry = Ferry.wire(new DynamoDbStore(Emulator.dynamoDb(), table),
                new SqsWorkQueues(Emulator.sqs(), "ferry-timer-", Clock.SYSTEM), timer, Clock.SYSTEM, Ids.RANDOM);
        ferry.pools().create(new PoolService.NewPool("pool", PoolType.PROCESS, null, null, null, null));
        String id = ferry.deployments().deploy(new DeploymentService.Deploy("nightly", "etl", "flows/etl.py:etl", "pool",
                null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                List.of(Json.tree("{\"slug\": \"every-minute\", \"cron\": \"* * * * *\"}")), null)).deployment().id();

        List<ScheduleSummary> armed = schedules();
        assertThat(armed).hasSize(1);
        Map<String, Object> input = Json.MAPPER.convertValue(Json.tree(get(armed.get(0).name()).target().input()), Map.class);
        ScheduleFunction function = new ScheduleFunction(ferry);

        assertThat(function.handleRequest(input, null)).isEqualTo("CREATED");
        assertThat(function.handleRequest(input, null)).isEqualTo("EXISTED");
        assertThat(ferry.runs().list(dev.ferry.core.ports.RunFilter.ALL, 10, null).items()).hasSize(1);
        // The firing that fired is gone; the next one is armed in its place.
        List<ScheduleSummary> next = schedules();
        assertThat(next).hasSize(1);
        assertThat(next.get(0).name()).isNotEqualTo(armed.get(0).name());

        // A firing lost in EventBridge (deleted by hand, a failed re-arm) is re-created by the janitor.
        timer.disarm(Firing.timerKey(id, "every-minute"));
        assertThat(ferry.janitor().sweep().schedulesHealed()).isEqualTo(1);
        assertThat(schedules()).hasSize(1);

        ferry.deployments().delete(id);
        assertThat(schedules()).isEmpty();
    }
}
