package dev.ferry.cli.runs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.client.ApiProblem;
import dev.ferry.cli.client.FerryApi;
import dev.ferry.cli.output.Times;
import dev.ferry.core.pools.WorkQueue;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Says, once, that a due run is waiting for a worker nobody started: without it, {@code --watch}
 * on a pool with no worker prints "Scheduled" and then nothing, for ever. The queue's status is
 * the server's word (NOT_READY: not polled within {@link WorkQueue#READINESS_WINDOW}), so the
 * clocks of this machine and the server need not agree.
 */
final class WorkerNotice {
    static final Duration CHECK_EVERY = Duration.ofSeconds(5);

    private final FerryApi api;
    private boolean said;
    private Instant lastCheck;

    WorkerNotice(FerryApi api) {
        this.api = api;
    }

    /** The notice to print for {@code run} now, if it is the first time it applies. */
    Optional<String> check(JsonNode run, Instant now) {
        if (said || !"SCHEDULED".equals(run.path("state").path("type").asText())) return Optional.empty();
        Instant due = Times.instant(run.get("scheduled_start_time"));
        if (due != null && due.isAfter(now)) return Optional.empty();
        if (lastCheck != null && Duration.between(lastCheck, now).compareTo(CHECK_EVERY) < 0) return Optional.empty();
        lastCheck = now;
        String pool = run.path("work_pool_name").asText("");
        String queue = run.path("work_queue_name").asText("");
        if (pool.isEmpty() || queue.isEmpty()) return Optional.empty();
        JsonNode status;
        try {
            status = api.workQueue(pool, queue).path("status");
        } catch (ApiProblem p) {
            return Optional.empty(); // a key that may not read queues: watching goes on, without the hint
        }
        if (!"NOT_READY".equals(status.asText())) return Optional.empty();
        said = true;
        return Optional.of(text(pool, queue));
    }

    static String text(String pool, String queue) {
        boolean named = !"default".equals(queue);
        return "No worker has polled work pool '" + pool + "'" + (named ? " (queue '" + queue + "')" : "")
                + " in the last " + WorkQueue.READINESS_WINDOW.toSeconds() + " s; the run waits until one does. Start one with: "
                + "ferry worker start --pool " + pool + (named ? " --work-queue " + queue : "");
    }
}
