package dev.ferry.cli.deployments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.cli.commands.UsageError;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class StartTimesTest {
    private static final Instant NOW = Instant.parse("2026-01-31T12:00:00Z");
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    @ParameterizedTest
    @CsvSource({"30s, 30", "10m, 600", "2h, 7200", "1d, 86400", "1h30m, 5400", "0s, 0", "90S, 90"})
    void startIn_readsNumberAndUnit(String text, long seconds) {
        assertThat(StartTimes.duration(text)).isEqualTo(Duration.ofSeconds(seconds));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10", "m", "10 m", "-5m", "1.5h", "10x", "ten minutes", ""})
    void startIn_refusesWhatIsNotADuration(String text) {
        assertThatThrownBy(() -> StartTimes.duration(text))
                .isInstanceOf(UsageError.class)
                .hasMessageContaining("e.g. 30s, 10m, 2h, 1d");
    }

    @Test
    void startIn_isCountedFromNow() {
        assertThat(StartTimes.parse("10m", null, NOW, BERLIN)).isEqualTo(Instant.parse("2026-01-31T12:10:00Z"));
        assertThat(StartTimes.parse(null, null, NOW, BERLIN)).isNull();
    }

    @Test
    void startAt_takesIsoWithOrWithoutOffset() {
        assertThat(StartTimes.parse(null, "2026-02-01T08:00:00Z", NOW, BERLIN))
                .isEqualTo(Instant.parse("2026-02-01T08:00:00Z"));
        assertThat(StartTimes.parse(null, "2026-02-01T08:00:00+02:00", NOW, BERLIN))
                .isEqualTo(Instant.parse("2026-02-01T06:00:00Z"));
        assertThat(StartTimes.parse(null, "2026-02-01T08:00", NOW, BERLIN))
                .isEqualTo(Instant.parse("2026-02-01T07:00:00Z"));
        assertThatThrownBy(() -> StartTimes.parse(null, "tomorrow", NOW, BERLIN))
                .isInstanceOf(UsageError.class).hasMessageContaining("ISO-8601");
    }

    @Test
    void startInAndStartAt_areExclusive() {
        assertThatThrownBy(() -> StartTimes.parse("1m", "2026-02-01T08:00:00Z", NOW, BERLIN))
                .isInstanceOf(UsageError.class).hasMessage("give --start-in or --start-at, not both");
    }
}
