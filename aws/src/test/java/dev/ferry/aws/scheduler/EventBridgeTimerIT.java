package dev.ferry.aws.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.aws.testing.Emulator;
import dev.ferry.core.common.Json;
import dev.ferry.core.scheduler.ScheduleTimer;
import dev.ferry.core.scheduler.ScheduleTimerContract;
import dev.ferry.core.schedules.Firing;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.scheduler.model.GetScheduleResponse;
import software.amazon.awssdk.services.scheduler.model.ScheduleSummary;

/**
 * The EventBridge Scheduler timer on the emulator: what a pending firing looks like there, that
 * re-arming replaces it, and that disarming cleans up. (The whole loop, with ScheduleFunction, is
 * the functions' ScheduleFunctionIT.)
 */
@ExtendWith(Emulator.class)
class EventBridgeTimerIT extends ScheduleTimerContract {
    private static final SchedulerClient SCHEDULER = Emulator.scheduler();
    private static final String GROUP = "ferry-timer";

    private EventBridgeTimer timer;

    /** An empty account with the schedule group the stack creates. */
    @Override
    protected ScheduleTimer newTimer() {
        Emulator.reset();
        SCHEDULER.createScheduleGroup(b -> b.name(GROUP));
        timer = new EventBridgeTimer(SCHEDULER, Emulator.scheduling(GROUP));
        return timer;
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
    void theAccount_holdsOneSchedulePerPendingFiring_andNoneOnceDisarmed() {
        Firing first = new Firing("dep-1", "nightly", Instant.parse("2027-01-01T02:00:00Z"));
        Firing second = new Firing("dep-1", "nightly", Instant.parse("2027-01-02T02:00:00Z"));
        Firing other = new Firing("dep-2", "hourly", Instant.parse("2027-01-01T03:00:00Z"));
        timer.arm(first);
        timer.arm(other);
        timer.arm(second);

        assertThat(schedules()).extracting(ScheduleSummary::name)
                .containsExactlyInAnyOrder(EventBridgeTimer.name(second), EventBridgeTimer.name(other));

        timer.disarm(second.timerKey());
        assertThat(schedules()).extracting(ScheduleSummary::name).containsExactly(EventBridgeTimer.name(other));
    }

    @Test
    void expressions_areWholeSecondsInUtc_roundedUpNeverEarly() {
        assertThat(EventBridgeTimer.expression(Instant.parse("2026-11-01T05:30:00Z"))).isEqualTo("at(2026-11-01T05:30:00)");
        assertThat(EventBridgeTimer.expression(Instant.parse("2026-11-01T05:30:00.250Z"))).isEqualTo("at(2026-11-01T05:30:01)");
        assertThat(EventBridgeTimer.expression(Instant.parse("2026-12-31T23:59:59.999Z"))).isEqualTo("at(2027-01-01T00:00:00)");
    }
}
