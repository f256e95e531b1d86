package dev.ferry.aws;

import dev.ferry.aws.dynamodb.DynamoDbRunLogs;
import dev.ferry.aws.scheduler.EventBridgeTimer;
import dev.ferry.core.Settings;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How the AWS side of Ferry is wired, read once per Lambda container from its environment.
 *
 * @param tableName    the DynamoDB table holding all state
 * @param queuePrefix  the name prefix of every SQS queue Ferry creates (IAM grants SQS rights on it alone)
 * @param region       the AWS region of the table and queues
 * @param endpoint     an endpoint override for both services (an emulator), or null for AWS itself
 * @param adminKeyHash hex SHA-256 of the admin API key, or null for no key (only ever on a loopback server)
 * @param runLogRetention how long flow-run log lines are kept (DynamoDB's TTL deletes them after)
 * @param scheduling   where schedule firings are armed: the stack's schedule group, ScheduleFunction, the
 *                     role EventBridge Scheduler invokes it with, and the firings' dead-letter queue
 * @param taskApiUrl   the API URL ECS tasks get as {@code FERRY_API_URL} to report back; null where no tasks are started
 * @param settings     what the environment tunes in the services (event retention, the automations' circuit breaker)
 */
public record Config(String tableName, String queuePrefix, String region, URI endpoint, String adminKeyHash,
                     Duration runLogRetention, EventBridgeTimer.Settings scheduling, String taskApiUrl, Settings settings) {
    public static final String TABLE_NAME = "FERRY_TABLE_NAME";
    public static final String QUEUE_PREFIX = "FERRY_QUEUE_PREFIX";
    public static final String REGION = "AWS_REGION";
    public static final String ENDPOINT = "FERRY_AWS_ENDPOINT";
    public static final String ADMIN_KEY_HASH = "FERRY_ADMIN_KEY_HASH";
    public static final String RUN_LOG_RETENTION_DAYS = "FERRY_RUN_LOG_RETENTION_DAYS";
    public static final String SCHEDULE_GROUP = "FERRY_SCHEDULE_GROUP";
    public static final String SCHEDULE_TARGET_ARN = "FERRY_SCHEDULE_TARGET_ARN";
    public static final String SCHEDULER_ROLE_ARN = "FERRY_SCHEDULER_ROLE_ARN";
    public static final String SCHEDULE_DLQ_ARN = "FERRY_SCHEDULE_DLQ_ARN";
    public static final String TASK_API_URL = "FERRY_TASK_API_URL";
    /** When {@value #RUN_LOG_RETENTION_DAYS} is empty. */
    public static final Duration DEFAULT_RUN_LOG_RETENTION = DynamoDbRunLogs.DEFAULT_RETENTION;
    private static final int MAX_RUN_LOG_RETENTION_DAYS = 3653;

    /** Every variable {@link #from} reads ({@value Settings#WEBHOOK_ALLOW_LOOPBACK} only to refuse {@code true}). */
    public static final List<String> VARIABLES = List.of(TABLE_NAME, QUEUE_PREFIX, REGION, ENDPOINT, ADMIN_KEY_HASH,
            RUN_LOG_RETENTION_DAYS, SCHEDULE_GROUP, SCHEDULE_TARGET_ARN, SCHEDULER_ROLE_ARN, SCHEDULE_DLQ_ARN, TASK_API_URL,
            Settings.EVENT_RETENTION_DAYS, Settings.MAX_FIRINGS_PER_MINUTE, Settings.WEBHOOK_ALLOW_LOOPBACK,
            Settings.RUN_LOG_MAX_LINES, Settings.RUN_LOG_MAX_MIB);
    /** Set by Lambda itself (reserved: a template may not set them); template.yaml sets all the others. */
    public static final Set<String> SET_BY_LAMBDA = Set.of(REGION);

    // SQS queue names allow [A-Za-z0-9_-] up to 80 characters; a work queue's own part takes up to 40.
    private static final Pattern QUEUE_PREFIX_SHAPE = Pattern.compile("[A-Za-z0-9_-]{1,40}");
    /** Without a task API URL (servers and functions that start no ECS tasks). */
    public Config(String tableName, String queuePrefix, String region, URI endpoint, String adminKeyHash,
                  Duration runLogRetention, EventBridgeTimer.Settings scheduling) {
        this(tableName, queuePrefix, region, endpoint, adminKeyHash, runLogRetention, scheduling, null);
    }

    /** With the default settings. */
    public Config(String tableName, String queuePrefix, String region, URI endpoint, String adminKeyHash,
                  Duration runLogRetention, EventBridgeTimer.Settings scheduling, String taskApiUrl) {
        this(tableName, queuePrefix, region, endpoint, adminKeyHash, runLogRetention, scheduling, taskApiUrl, Settings.DEFAULTS);
    }

    private static final Pattern KEY_HASH_SHAPE = Pattern.compile("[0-9a-fA-F]{64}");

    /**
     * Reads the configuration from {@code env} (Lambda: {@code System.getenv()}). Every problem is
     * reported at once, in one {@link IllegalStateException}, so a broken deployment is fixed in one go.
     * {@value #ENDPOINT} may be blank (template.yaml declares it empty so that {@code sam local
     * invoke --env-vars} can point it at an emulator), and so may {@value #RUN_LOG_RETENTION_DAYS}.
     */
    public static Config from(Map<String, String> env) {
        List<String> missing = new ArrayList<>();
        List<String> invalid = new ArrayList<>();
        String table = required(env, TABLE_NAME, missing);
        String prefix = required(env, QUEUE_PREFIX, missing);
        String region = required(env, REGION, missing);
        String hash = required(env, ADMIN_KEY_HASH, missing);
        String endpointText = value(env, ENDPOINT);
        String retentionText = value(env, RUN_LOG_RETENTION_DAYS);
        String taskApiUrl = value(env, TASK_API_URL);
        if (taskApiUrl != null && endpoint(taskApiUrl) == null) {
            invalid.add(TASK_API_URL + "='" + taskApiUrl + "' must be an http(s) URL (the stack's ApiUrl), or empty");
        }
        EventBridgeTimer.Settings scheduling = new EventBridgeTimer.Settings(required(env, SCHEDULE_GROUP, missing),
                required(env, SCHEDULE_TARGET_ARN, missing), required(env, SCHEDULER_ROLE_ARN, missing),
                required(env, SCHEDULE_DLQ_ARN, missing));

        if (prefix != null && !QUEUE_PREFIX_SHAPE.matcher(prefix).matches()) {
            invalid.add(QUEUE_PREFIX + "='" + prefix + "' must be 1 to 40 letters, digits, '-' or '_' (it starts SQS queue names)");
        }
        if (hash != null && !KEY_HASH_SHAPE.matcher(hash).matches()) {
            invalid.add(ADMIN_KEY_HASH + " must be the 64 hex digits of the admin key's SHA-256, as printed by "
                    + "'ferry api-key generate' (got " + hash.length() + " characters)");
        }
        URI endpoint = null;
        if (endpointText != null) {
            endpoint = endpoint(endpointText);
            if (endpoint == null) {
                invalid.add(ENDPOINT + "='" + endpointText + "' must be an http(s) URL such as http://127.0.0.1:5000, or empty");
            }
        }
        Duration retention = DEFAULT_RUN_LOG_RETENTION;
        if (retentionText != null) {
            retention = days(retentionText);
            if (retention == null) {
                invalid.add(RUN_LOG_RETENTION_DAYS + "='" + retentionText + "' must be a whole number of days from 1 to "
                        + MAX_RUN_LOG_RETENTION_DAYS + ", or empty for " + DEFAULT_RUN_LOG_RETENTION.toDays());
            }
        }
        Settings settings = Settings.DEFAULTS;
        try {
            settings = Settings.onAws(env);
        } catch (IllegalArgumentException e) {
            invalid.add(e.getMessage());
        }
        if (!missing.isEmpty() || !invalid.isEmpty()) {
            StringBuilder message = new StringBuilder("Ferry can't start: its configuration is incomplete.");
            if (!missing.isEmpty()) {
                message.append(" Missing environment variables: ").append(String.join(", ", missing))
                        .append(" (template.yaml sets them in Globals.Function.Environment; Lambda sets ")
                        .append(REGION).append(").");
            }
            for (String problem : invalid) message.append(' ').append(problem).append('.');
            throw new IllegalStateException(message.toString());
        }
        return new Config(table, prefix, region, endpoint, hash.toLowerCase(java.util.Locale.ROOT), retention, scheduling,
                taskApiUrl, settings);
    }

    private static String required(Map<String, String> env, String name, List<String> missing) {
        String value = value(env, name);
        if (value == null) missing.add(name);
        return value;
    }

    private static String value(Map<String, String> env, String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static Duration days(String text) {
        try {
            int days = Integer.parseInt(text);
            return days >= 1 && days <= MAX_RUN_LOG_RETENTION_DAYS ? Duration.ofDays(days) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** An absolute http(s) URL, else null. */
    static URI endpoint(String text) {
        try {
            URI uri = new URI(text);
            boolean http = "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
            return http && uri.getHost() != null ? uri : null;
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
