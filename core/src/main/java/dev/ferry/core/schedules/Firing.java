package dev.ferry.core.schedules;

import dev.ferry.core.common.Hashes;
import java.time.Instant;

/** One pending firing of a schedule: deployment, schedule slug, and the instant it fires (jitter included). */
public record Firing(String deploymentId, String slug, Instant at) {

    /** The short stable name a timer files this schedule's firings under (EventBridge names are at most 64 characters). */
    public String timerKey() {
        return timerKey(deploymentId, slug);
    }

    public static String timerKey(String deploymentId, String slug) {
        return Hashes.sha256Hex(deploymentId + "/" + slug).substring(0, 20);
    }
}
