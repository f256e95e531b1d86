package dev.ferry.core;

import dev.ferry.core.automations.CircuitBreaker;
import dev.ferry.core.events.EventService;
import dev.ferry.core.runs.LogQuota;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a server's (or a Lambda container's) environment tunes in the application services, read
 * once from the environment as a map. Every problem is reported at once, naming the variable,
 * the value and what is accepted, so a bad setting stops the start instead of being half used.
 *
 * @param eventRetention        how long events are kept (and how far back they may say they occurred)
 * @param maxFiringsPerMinute   how often one automation may fire within any minute before its
 *                              circuit breaker pauses it
 * @param webhookAllowLoopback  whether call-webhook actions may call plain http:// on this machine's loopback
 * @param runLogQuota           how much of each flow run's log is kept
 */
public record Settings(Duration eventRetention, int maxFiringsPerMinute, boolean webhookAllowLoopback, LogQuota runLogQuota) {
    public static final String EVENT_RETENTION_DAYS = "FERRY_EVENT_RETENTION_DAYS";
    public static final String MAX_FIRINGS_PER_MINUTE = "FERRY_AUTOMATION_MAX_FIRINGS_PER_MINUTE";
    public static final String WEBHOOK_ALLOW_LOOPBACK = "FERRY_WEBHOOK_ALLOW_LOOPBACK";
    public static final String RUN_LOG_MAX_LINES = "FERRY_RUN_LOG_MAX_LINES";
    public static final String RUN_LOG_MAX_MIB = "FERRY_RUN_LOG_MAX_MIB";
    public static final int MIN_RUN_LOG_LINES = 1_000;
    public static final int MAX_RUN_LOG_LINES = 10_000_000;
    public static final int MIN_RUN_LOG_MIB = 1;
    public static final int MAX_RUN_LOG_MIB = 1024;
    public static final int MIN_EVENT_RETENTION_DAYS = 1;
    public static final int MAX_EVENT_RETENTION_DAYS = 365;
    public static final Settings DEFAULTS = new Settings(EventService.DEFAULT_RETENTION, CircuitBreaker.DEFAULT_LIMIT, false);

    /** With the default run log quota. */
    public Settings(Duration eventRetention, int maxFiringsPerMinute, boolean webhookAllowLoopback) {
        this(eventRetention, maxFiringsPerMinute, webhookAllowLoopback, LogQuota.DEFAULT);
    }

    public Settings {
        java.util.Objects.requireNonNull(runLogQuota, "runLogQuota");
        long days = eventRetention.toDays();
        if (!eventRetention.equals(Duration.ofDays(days)) || days < MIN_EVENT_RETENTION_DAYS || days > MAX_EVENT_RETENTION_DAYS) {
            throw new IllegalArgumentException("event retention must be whole days from " + MIN_EVENT_RETENTION_DAYS + " to "
                    + MAX_EVENT_RETENTION_DAYS + " (got " + eventRetention + ")");
        }
        if (maxFiringsPerMinute < CircuitBreaker.MIN_LIMIT || maxFiringsPerMinute > CircuitBreaker.MAX_LIMIT) {
            throw new IllegalArgumentException("firings per minute must be from " + CircuitBreaker.MIN_LIMIT + " to "
                    + CircuitBreaker.MAX_LIMIT + " (got " + maxFiringsPerMinute + ")");
        }
    }

    /** The embedded server's settings: every variable above; an empty one means its default. */
    public static Settings from(Map<String, String> env) {
        return read(env, true);
    }

    /**
     * The AWS functions' settings: there is no receiver on a Lambda's loopback, so
     * {@value #WEBHOOK_ALLOW_LOOPBACK} is refused rather than quietly ignored.
     */
    public static Settings onAws(Map<String, String> env) {
        return read(env, false);
    }

    private static Settings read(Map<String, String> env, boolean loopbackAllowed) {
        List<String> problems = new ArrayList<>();
        int days = number(env, EVENT_RETENTION_DAYS, (int) EventService.DEFAULT_RETENTION.toDays(), MIN_EVENT_RETENTION_DAYS,
                MAX_EVENT_RETENTION_DAYS, "days", problems);
        int firings = number(env, MAX_FIRINGS_PER_MINUTE, CircuitBreaker.DEFAULT_LIMIT, CircuitBreaker.MIN_LIMIT,
                CircuitBreaker.MAX_LIMIT, "firings", problems);
        boolean loopback = false;
        String text = value(env, WEBHOOK_ALLOW_LOOPBACK);
        if (text != null) {
            String flag = text.toLowerCase(Locale.ROOT);
            if (!flag.equals("true") && !flag.equals("false")) {
                problems.add(WEBHOOK_ALLOW_LOOPBACK + "='" + text + "' must be true or false, or empty for false");
            } else if (flag.equals("true") && !loopbackAllowed) {
                problems.add(WEBHOOK_ALLOW_LOOPBACK + "=true is for the embedded server only; on AWS, call-webhook actions "
                        + "call https:// URLs on public addresses");
            } else {
                loopback = flag.equals("true");
            }
        }
        int logLines = number(env, RUN_LOG_MAX_LINES, (int) LogQuota.DEFAULT_LINES, MIN_RUN_LOG_LINES, MAX_RUN_LOG_LINES, "lines",
                problems);
        int logMib = number(env, RUN_LOG_MAX_MIB, (int) (LogQuota.DEFAULT_BYTES >> 20), MIN_RUN_LOG_MIB, MAX_RUN_LOG_MIB, "MiB",
                problems);
        if (!problems.isEmpty()) throw new IllegalArgumentException(String.join("; ", problems));
        return new Settings(Duration.ofDays(days), firings, loopback, new LogQuota(logLines, (long) logMib << 20));
    }

    private static int number(Map<String, String> env, String name, int fallback, int min, int max, String unit,
                              List<String> problems) {
        String text = value(env, name);
        if (text == null) return fallback;
        try {
            int n = Integer.parseInt(text);
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(name + "='" + text + "' must be a whole number of " + unit + " from " + min + " to " + max + ", or empty for "
                + fallback);
        return fallback;
    }

    private static String value(Map<String, String> env, String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : value.strip();
    }
}
