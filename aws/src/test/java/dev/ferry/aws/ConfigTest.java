package dev.ferry.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.aws.scheduler.EventBridgeTimer;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConfigTest {
    private static final String HASH = "0F659881D79598B356221048C1FE653E3A32DFBAE6FF0D700AA28647941FFF6D";

    private static Map<String, String> complete() {
        Map<String, String> env = new HashMap<>();
        env.put("FERRY_TABLE_NAME", "ferry-dev-Table-1ABC");
        env.put("FERRY_QUEUE_PREFIX", "ferry-dev-");
        env.put("AWS_REGION", "eu-west-1");
        env.put("FERRY_ADMIN_KEY_HASH", HASH);
        env.put("FERRY_AWS_ENDPOINT", "");
        env.put("FERRY_RUN_LOG_RETENTION_DAYS", "");
        env.put("FERRY_SCHEDULE_GROUP", "ferry-dev");
        env.put("FERRY_SCHEDULE_TARGET_ARN", "arn:aws:lambda:eu-west-1:123456789012:function:ferry-dev-Schedule");
        env.put("FERRY_SCHEDULER_ROLE_ARN", "arn:aws:iam::123456789012:role/ferry-dev-Scheduler");
        env.put("FERRY_SCHEDULE_DLQ_ARN", "arn:aws:sqs:eu-west-1:123456789012:ferry-dev-ScheduleDlq");
        return env;
    }

    @Test
    void from_readsEveryVariable() {
        Map<String, String> env = complete();
        env.put("FERRY_AWS_ENDPOINT", "http://127.0.0.1:5000");
        env.put("FERRY_RUN_LOG_RETENTION_DAYS", "90");

        Config config = Config.from(env);

        assertThat(config).isEqualTo(new Config("ferry-dev-Table-1ABC", "ferry-dev-", "eu-west-1",
                URI.create("http://127.0.0.1:5000"), HASH.toLowerCase(), Duration.ofDays(90),
                new EventBridgeTimer.Settings("ferry-dev", "arn:aws:lambda:eu-west-1:123456789012:function:ferry-dev-Schedule",
                        "arn:aws:iam::123456789012:role/ferry-dev-Scheduler",
                        "arn:aws:sqs:eu-west-1:123456789012:ferry-dev-ScheduleDlq")));
    }

    @Test
    void emptyOptionalVariables_meanTheDefaults() {
        Config config = Config.from(complete());

        assertThat(config.endpoint()).as("no endpoint override: AWS itself").isNull();
        assertThat(config.runLogRetention()).isEqualTo(Config.DEFAULT_RUN_LOG_RETENTION);
    }

    @Test
    void theServicesSettings_areReadWithTheRest() {
        Map<String, String> env = complete();
        env.put("FERRY_EVENT_RETENTION_DAYS", "30");
        env.put("FERRY_AUTOMATION_MAX_FIRINGS_PER_MINUTE", "120");

        Config config = Config.from(env);

        assertThat(config.settings()).isEqualTo(new dev.ferry.core.Settings(Duration.ofDays(30), 120, false));
        assertThat(Config.from(complete()).settings()).isEqualTo(dev.ferry.core.Settings.DEFAULTS);
    }

    @Test
    void badSettings_areNamedWithTheOtherProblems_andLoopbackWebhooksAreRefused() {
        Map<String, String> env = complete();
        env.put("FERRY_EVENT_RETENTION_DAYS", "0");
        env.put("FERRY_WEBHOOK_ALLOW_LOOPBACK", "true");
        env.put("FERRY_QUEUE_PREFIX", "ferry dev");

        assertThatThrownBy(() -> Config.from(env))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("FERRY_QUEUE_PREFIX='ferry dev'")
                .hasMessageContaining("FERRY_EVENT_RETENTION_DAYS='0' must be a whole number of days from 1 to 365, or empty for 7")
                .hasMessageContaining("FERRY_WEBHOOK_ALLOW_LOOPBACK=true is for the embedded server only");
    }

    @Test
    void missingVariables_areAllNamed_inOneError() {
        Map<String, String> env = Map.of("FERRY_QUEUE_PREFIX", "ferry-dev-", "FERRY_TABLE_NAME", "  ");

        assertThatThrownBy(() -> Config.from(env))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Ferry can't start: its configuration is incomplete. "
                        + "Missing environment variables: FERRY_TABLE_NAME, AWS_REGION, FERRY_ADMIN_KEY_HASH, "
                        + "FERRY_SCHEDULE_GROUP, FERRY_SCHEDULE_TARGET_ARN, FERRY_SCHEDULER_ROLE_ARN, FERRY_SCHEDULE_DLQ_ARN "
                        + "(template.yaml sets them in Globals.Function.Environment; Lambda sets AWS_REGION).");
    }

    @Test
    void badValues_areNamedWithWhatWouldBeAccepted() {
        Map<String, String> env = complete();
        env.put("FERRY_ADMIN_KEY_HASH", "ferry_the-key-itself");
        env.put("FERRY_QUEUE_PREFIX", "ferry dev");
        env.put("FERRY_AWS_ENDPOINT", "localhost:5000");
        env.put("FERRY_RUN_LOG_RETENTION_DAYS", "a month");

        assertThatThrownBy(() -> Config.from(env))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("FERRY_QUEUE_PREFIX='ferry dev' must be 1 to 40 letters, digits, '-' or '_'")
                .hasMessageContaining("FERRY_ADMIN_KEY_HASH must be the 64 hex digits of the admin key's SHA-256")
                .hasMessageContaining("(got 20 characters)")
                .hasMessageContaining("FERRY_AWS_ENDPOINT='localhost:5000' must be an http(s) URL")
                .hasMessageContaining("FERRY_RUN_LOG_RETENTION_DAYS='a month' must be a whole number of days from 1 to 3653")
                .hasMessageNotContaining("the-key-itself");
    }

    @Test
    void variables_namesEveryVariableFromReads() {
        Set<Object> read = new HashSet<>();
        Map<String, String> env = new HashMap<>(complete()) {
            @Override
            public String get(Object key) {
                read.add(key);
                return super.get(key);
            }
        };

        Config.from(env);

        assertThat(read).containsExactlyInAnyOrderElementsOf(Config.VARIABLES);
    }
}
