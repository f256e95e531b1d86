package dev.ferry.cli.runs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.output.Times;
import java.time.Duration;
import java.time.Instant;

/**
 * How long a run's last attempt ran. A run's {@code start_time} is its first start (Prefect's
 * meaning), so after a retry {@code end_time - start_time} would count the failed attempts and
 * the waits between them; the state history dates each attempt instead.
 */
final class Attempts {
    private Attempts() {}

    /** From the last entry into RUNNING to the state after it (or now, still running); null if it never ran. */
    static Duration lastDuration(JsonNode run, Instant now) {
        JsonNode history = run.path("state_history");
        if (history.isArray() && !history.isEmpty()) {
            Instant start = null;
            Instant end = null;
            String previous = null;
            for (JsonNode state : history) {
                String type = state.path("type").asText();
                Instant at = Times.instant(state.get("timestamp"));
                if ("RUNNING".equals(type) && !"RUNNING".equals(previous)) {
                    start = at;
                    end = null;
                } else if (!"RUNNING".equals(type) && "RUNNING".equals(previous) && start != null) {
                    end = at;
                }
                previous = type;
            }
            if (start != null) return Duration.between(start, end != null ? end : "RUNNING".equals(previous) ? now : start);
        }
        Instant start = Times.instant(run.get("start_time"));
        if (start == null) return null;
        Instant end = Times.instant(run.get("end_time"));
        return Duration.between(start, end != null ? end : now);
    }
}
