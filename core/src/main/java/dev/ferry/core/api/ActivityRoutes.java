package dev.ferry.core.api;

import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Clock;
import dev.ferry.core.runs.ActivityWindow;
import dev.ferry.core.runs.FlowRunService;
import dev.ferry.core.runs.RunActivity;
import dev.ferry.core.runs.RunFilter;
import dev.ferry.core.runs.StateType;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /api/flow_runs/activity}: runs by state type per bucket of their expected start, the
 * web UI's dashboard chart. Listed before the run routes, whose {@code /api/flow_runs/{id}} would
 * otherwise take "activity" for a run id.
 */
final class ActivityRoutes {
    private final FlowRunService runs;
    private final Clock clock;

    ActivityRoutes(FlowRunService runs, Clock clock) {
        this.runs = runs;
        this.clock = clock;
    }

    List<Route> routes() {
        return List.of(new Route("GET", "/api/flow_runs/activity",
                "Count flow runs by state type per time bucket of their expected start", (r, p) -> {
                    Instant until = instant(r, "until");
                    ActivityWindow window = ActivityWindow.of(instant(r, "since"), until == null ? clock.now() : until,
                            bucketSeconds(r), ActivityWindow.DEFAULT_MAX_RUNS);
                    RunFilter filter = new RunFilter(Set.of(), text(r, "deployment_id"), text(r, "work_pool_name"),
                            text(r, "work_queue_name"));
                    return ApiResponse.json(200, view(runs.activity(window, filter)));
                }));
    }

    static Map<String, Object> view(RunActivity activity) {
        ActivityWindow w = activity.window();
        List<Map<String, Object>> buckets = new ArrayList<>();
        for (int i = 0; i < activity.buckets().size(); i++) {
            Map<String, Integer> counts = counts(activity.buckets().get(i));
            Map<String, Object> bucket = new LinkedHashMap<>();
            bucket.put("start", w.bucketStart(i).toString());
            bucket.put("end", w.bucketEnd(i).toString());
            bucket.put("counts", counts);
            bucket.put("total", counts.values().stream().mapToInt(Integer::intValue).sum());
            buckets.add(bucket);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("since", w.since().toString());
        body.put("until", w.until().toString());
        body.put("bucket_seconds", w.bucket().toSeconds());
        body.put("buckets", buckets);
        body.put("counts", counts(activity.totals()));
        body.put("total", activity.total());
        body.put("failure_rate", activity.failureRate());
        body.put("truncated", activity.truncated());
        body.put("max_runs", w.maxRuns());
        body.put("created_from", w.createdFrom().toString());
        return body;
    }

    private static Map<String, Integer> counts(Map<StateType, Integer> byType) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (StateType type : StateType.values()) counts.put(type.name(), byType.getOrDefault(type, 0));
        return counts;
    }

    private static Integer bucketSeconds(ApiRequest r) {
        String raw = r.queryParam("bucket_seconds");
        if (raw == null || raw.isEmpty()) return null;
        return Views.intParam(r, "bucket_seconds", 0, 1, ActivityWindow.MAX_SPAN.toSeconds());
    }

    private static String text(ApiRequest r, String name) {
        String value = r.queryParam(name);
        return value == null || value.isEmpty() ? null : value;
    }

    private static Instant instant(ApiRequest r, String name) {
        String raw = r.queryParam(name);
        if (raw == null || raw.isEmpty()) return null;
        try {
            return Instant.parse(raw);
        } catch (DateTimeParseException e) {
            throw BadInput.invalid(name, "'" + name + "' must be an ISO-8601 instant like 2026-01-31T12:00:00Z (got '" + raw + "')");
        }
    }
}
