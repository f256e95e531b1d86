package dev.ferry.aws.scheduler;

import dev.ferry.core.common.Json;
import dev.ferry.core.scheduler.ScheduleTimer;
import dev.ferry.core.schedules.Firing;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.scheduler.model.ActionAfterCompletion;
import software.amazon.awssdk.services.scheduler.model.ConflictException;
import software.amazon.awssdk.services.scheduler.model.FlexibleTimeWindowMode;
import software.amazon.awssdk.services.scheduler.model.ResourceNotFoundException;
import software.amazon.awssdk.services.scheduler.model.ScheduleState;
import software.amazon.awssdk.services.scheduler.model.ScheduleSummary;

/**
 * The AWS schedule timer: each pending firing is one EventBridge Scheduler schedule with a one-time
 * {@code at()} expression in UTC, named after the Ferry schedule and the instant
 * ({@code f-<timer key>-<epoch seconds>}), targeting {@code ScheduleFunction} with the firing as input.
 *
 * <p>Why {@code at()} and not EventBridge's own {@code cron()}: the engine decides every instant
 * (DST policies, RRULE, anchored intervals, jitter), and EventBridge's cron follows its own DST rules,
 * so only one-time expressions fire exactly where the engine says. Putting the instant in the name
 * lets {@link #armed()} read every pending firing with one paginated list call, and makes arming
 * idempotent: arming the same firing twice meets a {@code ConflictException}, nothing else.
 */
public final class EventBridgeTimer implements ScheduleTimer {
    static final String PREFIX = "f-";
    /** EventBridge retries a failed invocation this often (the maximum), over at most a day, then the DLQ. */
    static final int RETRY_ATTEMPTS = 185;
    static final int RETRY_AGE_SECONDS = 86_400;
    private static final DateTimeFormatter AT = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    private final SchedulerClient client;
    private final Settings settings;

    /**
     * @param group      the stack's schedule group
     * @param targetArn  {@code ScheduleFunction}'s ARN
     * @param roleArn    the role EventBridge Scheduler assumes to invoke it
     * @param deadLetterArn the SQS queue firings go to when every retry failed
     */
    public record Settings(String group, String targetArn, String roleArn, String deadLetterArn) {}

    public EventBridgeTimer(SchedulerClient client, Settings settings) {
        this.client = client;
        this.settings = settings;
    }

    /** The schedule expression for a firing: EventBridge takes whole seconds, so a firing between seconds rounds up. */
    public static String expression(Instant at) {
        Instant whole = at.getNano() == 0 ? at : at.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        return "at(" + AT.format(whole) + ")";
    }

    static String name(Firing firing) {
        return PREFIX + firing.timerKey() + "-" + firing.at().getEpochSecond();
    }

    /** What ScheduleFunction receives; {@code scheduled_time} is filled in by EventBridge when it fires. */
    static String input(Firing firing) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("deployment_id", firing.deploymentId());
        input.put("slug", firing.slug());
        input.put("at", firing.at().toString());
        input.put("scheduled_time", "<aws.scheduler.scheduled-time>");
        return Json.string(input);
    }

    @Override
    public void arm(Firing firing) {
        String name = name(firing);
        try {
            client.createSchedule(b -> b.groupName(settings.group()).name(name)
                    .scheduleExpression(expression(firing.at())).scheduleExpressionTimezone("UTC")
                    .flexibleTimeWindow(w -> w.mode(FlexibleTimeWindowMode.OFF))
                    .state(ScheduleState.ENABLED)
                    .actionAfterCompletion(ActionAfterCompletion.DELETE)
                    .description("Ferry schedule " + firing.slug() + " of deployment " + firing.deploymentId())
                    .target(t -> t.arn(settings.targetArn()).roleArn(settings.roleArn()).input(input(firing))
                            .retryPolicy(r -> r.maximumRetryAttempts(RETRY_ATTEMPTS).maximumEventAgeInSeconds(RETRY_AGE_SECONDS))
                            .deadLetterConfig(d -> d.arn(settings.deadLetterArn()))));
        } catch (ConflictException e) {
            // Armed already (a redelivered firing re-arms the same next firing): nothing to do.
        }
        deleteAll(firing.timerKey(), name);
    }

    @Override
    public void disarm(String timerKey) {
        deleteAll(timerKey, null);
    }

    /** Deletes the schedule's pending firings except {@code keep}; after a firing, that removes the one that fired. */
    private void deleteAll(String timerKey, String keep) {
        for (ScheduleSummary s : client.listSchedulesPaginator(b -> b.groupName(settings.group())
                .namePrefix(PREFIX + timerKey + "-")).schedules()) {
            if (s.name().equals(keep)) continue;
            try {
                client.deleteSchedule(b -> b.groupName(settings.group()).name(s.name()));
            } catch (ResourceNotFoundException e) {
                // Deleted by EventBridge after it fired, or by a concurrent re-arm.
            }
        }
    }

    @Override
    public Map<String, Instant> armed() {
        Map<String, Instant> out = new HashMap<>();
        for (ScheduleSummary s : client.listSchedulesPaginator(b -> b.groupName(settings.group()).namePrefix(PREFIX))
                .schedules()) {
            String rest = s.name().substring(PREFIX.length());
            int dash = rest.lastIndexOf('-');
            if (dash < 0) continue;
            try {
                Instant at = Instant.ofEpochSecond(Long.parseLong(rest.substring(dash + 1)));
                out.merge(rest.substring(0, dash), at, (a, b) -> a.isAfter(b) ? a : b);
            } catch (NumberFormatException e) {
                // Not one of Ferry's names: leave it alone.
            }
        }
        return out;
    }
}
