package dev.ferry.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.automations.CircuitBreaker;
import dev.ferry.core.events.EventService;
import dev.ferry.core.runs.LogQuota;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The settings a server's or a function's environment gives, each variable checked and named when wrong. */
class SettingsTest {

    @Test
    void anEmptyEnvironment_givesTheDefaults() {
        Settings settings = Settings.from(Map.of());

        assertThat(settings).isEqualTo(Settings.DEFAULTS);
        assertThat(settings.eventRetention()).isEqualTo(EventService.DEFAULT_RETENTION).isEqualTo(Duration.ofDays(7));
        assertThat(settings.maxFiringsPerMinute()).isEqualTo(CircuitBreaker.DEFAULT_LIMIT).isEqualTo(60);
        assertThat(settings.webhookAllowLoopback()).isFalse();
    }

    @Test
    void blankValues_meanTheDefaults() {
        assertThat(Settings.from(Map.of(Settings.EVENT_RETENTION_DAYS, " ", Settings.MAX_FIRINGS_PER_MINUTE, "",
                Settings.WEBHOOK_ALLOW_LOOPBACK, ""))).isEqualTo(Settings.DEFAULTS);
    }

    @Test
    void givenValues_areRead() {
        Settings settings = Settings.from(Map.of(Settings.EVENT_RETENTION_DAYS, "30", Settings.MAX_FIRINGS_PER_MINUTE, " 5 ",
                Settings.WEBHOOK_ALLOW_LOOPBACK, "TRUE"));

        assertThat(settings).isEqualTo(new Settings(Duration.ofDays(30), 5, true));
    }

    @Test
    void theEventRetention_isOneTo365Days() {
        assertThat(Settings.from(Map.of(Settings.EVENT_RETENTION_DAYS, "1")).eventRetention()).isEqualTo(Duration.ofDays(1));
        assertThat(Settings.from(Map.of(Settings.EVENT_RETENTION_DAYS, "365")).eventRetention()).isEqualTo(Duration.ofDays(365));
        for (String bad : new String[] {"0", "366", "-1", "7d", "1.5", "seven"}) {
            assertThatThrownBy(() -> Settings.from(Map.of(Settings.EVENT_RETENTION_DAYS, bad))).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("FERRY_EVENT_RETENTION_DAYS='" + bad + "' must be a whole number of days from 1 to 365, or empty for 7");
        }
    }

    @Test
    void everyProblem_isSaidAtOnce() {
        assertThatThrownBy(() -> Settings.from(Map.of(Settings.EVENT_RETENTION_DAYS, "0", Settings.MAX_FIRINGS_PER_MINUTE, "1001",
                Settings.WEBHOOK_ALLOW_LOOPBACK, "yes")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("FERRY_EVENT_RETENTION_DAYS='0'")
                .hasMessageContaining("FERRY_AUTOMATION_MAX_FIRINGS_PER_MINUTE='1001' must be a whole number of firings from 1 to 1000")
                .hasMessageContaining("FERRY_WEBHOOK_ALLOW_LOOPBACK='yes' must be true or false");
    }

    @Test
    void onAws_loopbackWebhooksAreRefused_notIgnored() {
        assertThat(Settings.onAws(Map.of(Settings.WEBHOOK_ALLOW_LOOPBACK, "false")).webhookAllowLoopback()).isFalse();
        assertThat(Settings.onAws(Map.of(Settings.EVENT_RETENTION_DAYS, "14")).eventRetention()).isEqualTo(Duration.ofDays(14));
        assertThatThrownBy(() -> Settings.onAws(Map.of(Settings.WEBHOOK_ALLOW_LOOPBACK, "true")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("FERRY_WEBHOOK_ALLOW_LOOPBACK=true is for the embedded server only");
    }

    @Test
    void theRunLogQuota_defaultsTo100kLinesAnd10MiB_andIsReadInLinesAndMiB() {
        assertThat(Settings.DEFAULTS.runLogQuota()).isEqualTo(new LogQuota(100_000, 10L * 1024 * 1024));
        assertThat(Settings.from(Map.of(Settings.RUN_LOG_MAX_LINES, "5000", Settings.RUN_LOG_MAX_MIB, "2")).runLogQuota())
                .isEqualTo(new LogQuota(5_000, 2L * 1024 * 1024));
        assertThatThrownBy(() -> Settings.onAws(Map.of(Settings.RUN_LOG_MAX_LINES, "10", Settings.RUN_LOG_MAX_MIB, "0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("FERRY_RUN_LOG_MAX_LINES='10' must be a whole number of lines from 1000 to 10000000, or empty for 100000")
                .hasMessageContaining("FERRY_RUN_LOG_MAX_MIB='0' must be a whole number of MiB from 1 to 1024, or empty for 10");
    }
}
