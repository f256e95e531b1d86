package dev.ferry.functions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.aws.dynamodb.DynamoDbAdapters;
import dev.ferry.aws.dynamodb.Tables;
import dev.ferry.aws.scheduler.EventBridgeTimer;
import dev.ferry.aws.sqs.SqsWorkQueues;
import dev.ferry.aws.testing.Emulator;
import dev.ferry.core.Ferry;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Ids;
import dev.ferry.core.common.Json;
import dev.ferry.core.deployments.DeploymentService;
import dev.ferry.core.pools.PoolService;
import dev.ferry.core.pools.PoolType;
import dev.ferry.core.schedules.Firing;
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
 * ScheduleFunction behind EventBridge Scheduler on the emulator, the whole loop: deploy, EventBridge
 * delivers the stored input to the function (twice: one run), the next firing is armed, the
 * janitor re-creates a firing that went missing, and deleting the deployment disarms it. The
 * emulator never fires a schedule, so the test delivers the input it stored, as EventBridge would.
 */
@ExtendWith(Emulator.class)
class ScheduleFunctionIT {
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
    void theWholeLoop_deployFireRearmHealAndDelete() {
        String table = "ferry-" + UUID.randomUUID();
        Tables.create(Emulator.dynamoDb(), table);
        Ferry ferry = Ferry.wire(DynamoDbAdapters.ports(Emulator.dynamoDb(), table,
                new SqsWorkQueues(Emulator.sqs(), "ferry-timer-", Clock.SYSTEM), timer), Clock.SYSTEM, Ids.RANDOM);
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
        assertThat(ferry.runs().list(dev.ferry.core.runs.RunFilter.ALL, 10, null).items()).hasSize(1);
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
