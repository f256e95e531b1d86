package dev.ferry.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.ferry.core.Ferry;
import dev.ferry.core.scheduler.Scheduler;
import dev.ferry.core.schedules.Firing;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Map;

/**
 * One schedule firing, invoked by EventBridge Scheduler with the input {@code EventBridgeTimer} gave
 * the schedule: creates the firing's run (idempotently) and arms the next firing. A failure is
 * thrown so EventBridge retries; input that can never succeed is logged and dropped instead, since
 * retrying it for a day helps nobody.
 */
public final class ScheduleFunction implements RequestHandler<Map<String, Object>, String> {
    private final Scheduler schedules;

    /** Lambda's: wired from the environment once per container. */
    public ScheduleFunction() {
        this(Container.current().wiring().ferry());
    }

    /** Over given adapters (tests, {@code ferry server start --aws}). */
    public ScheduleFunction(Ferry ferry) {
        this.schedules = ferry.schedules();
    }

    @Override
    public String handleRequest(Map<String, Object> input, Context context) {
        Firing firing;
        try {
            firing = new Firing(text(input, "deployment_id"), text(input, "slug"), Instant.parse(text(input, "at")));
        } catch (IllegalArgumentException | DateTimeException e) {
            log(context, "dropped a firing with unusable input " + input + ": " + e.getMessage());
            return "REFUSED";
        }
        String outcome = schedules.fire(firing).name();
        log(context, "firing " + firing + " (scheduled " + input.get("scheduled_time") + "): " + outcome);
        return outcome;
    }

    private static String text(Map<String, Object> input, String field) {
        Object value = input == null ? null : input.get(field);
        if (!(value instanceof String s) || s.isBlank()) throw new IllegalArgumentException("'" + field + "' is missing");
        return s;
    }

    private static void log(Context context, String message) {
        if (context != null) context.getLogger().log(message);
    }
}
