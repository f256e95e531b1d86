package dev.ferry.cli.output;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class TimesTest {
    private static final Instant NOW = Instant.parse("2026-01-31T12:00:00Z");

    @ParameterizedTest
    @CsvSource({
        "0, just now",
        "1, 1 second ago",
        "12, 12 seconds ago",
        "60, 1 minute ago",
        "150, 2 minutes ago",
        "7200, 2 hours ago",
        "90000, 1 day ago",
        "-300, in 5 minutes",
    })
    void relative_readsLikeSpeech(long secondsAgo, String expected) {
        assertThat(Times.relative(NOW.minusSeconds(secondsAgo), NOW)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"850, 850ms", "12300, 12.3s", "245000, 4m 05s", "7380000, 2h 03m", "273600000, 3d 04h"})
    void duration_isShort(long millis, String expected) {
        assertThat(Times.duration(Duration.ofMillis(millis))).isEqualTo(expected);
    }

    @Test
    void apiTimestamps_areReadLeniently() {
        assertThat(Times.instant(TextNode.valueOf("2026-01-31T12:00:00Z"))).isEqualTo(NOW);
        assertThat(Times.instant(TextNode.valueOf("yesterday"))).isNull();
        assertThat(Times.instant(null)).isNull();
        assertThat(Times.relative(null, NOW)).isEqualTo("-");
        assertThat(Times.clock(NOW, ZoneOffset.ofHours(2))).isEqualTo("14:00:00");
    }
}
