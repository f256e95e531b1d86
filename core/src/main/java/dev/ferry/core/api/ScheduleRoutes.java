package dev.ferry.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Instants;
import dev.ferry.core.common.Json;
import dev.ferry.core.deployments.Deployment;
import dev.ferry.core.deployments.DeploymentService;
import dev.ferry.core.scheduler.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/** A deployment's schedules, its pause, what it will run next, and backfills. */
final class ScheduleRoutes {
    private static final int MAX_PREVIEW_HOURS = 24 * 31;

    private final DeploymentService deployments;
    private final Scheduler schedules;
    private final Clock clock;

    ScheduleRoutes(DeploymentService deployments, Scheduler schedules, Clock clock) {
        this.deployments = deployments;
        this.schedules = schedules;
        this.clock = clock;
    }

    List<Route> routes() {
        return List.of(
                new Route("GET", "/api/deployments/{id}/schedules", "List a deployment's schedules",
                        (r, p) -> ApiResponse.json(200, Views.list(deployments.get(p.get("id")).schedules(), null))),
                new Route("POST", "/api/deployments/{id}/schedules", "Add a schedule to a deployment",
                        (r, p) -> ApiResponse.json(201, deployments.addSchedule(p.get("id"), Json.read(r.body(), JsonNode.class)))),
                new Route("PATCH", "/api/deployments/{id}/schedules/{slug}", "Change fields of a schedule (null resets one)",
                        (r, p) -> ApiResponse.json(200, deployments.updateSchedule(p.get("id"), p.get("slug"),
                                Json.read(r.body(), JsonNode.class)))),
                new Route("DELETE", "/api/deployments/{id}/schedules/{slug}", "Delete a schedule", (r, p) -> {
                    deployments.deleteSchedule(p.get("id"), p.get("slug"));
                    return ApiResponse.noContent();
                }),
                new Route("POST", "/api/deployments/{id}/pause", "Pause a deployment, with a note and an optional end", (r, p) -> {
                    Bodies.Pause b = r.body() == null || r.body().length == 0 ? new Bodies.Pause(null, null)
                            : Json.read(r.body(), Bodies.Pause.class);
                    return ApiResponse.json(200, DeploymentView.of(deployments.pause(p.get("id"), b.note(), p.get(Route.CALLER),
                            b.resumeAt())));
                }),
                new Route("POST", "/api/deployments/{id}/resume", "Resume a paused deployment",
                        (r, p) -> ApiResponse.json(200, DeploymentView.of(deployments.resume(p.get("id"))))),
                new Route("GET", "/api/deployments/{id}/upcoming_runs", "The next firings of a deployment's schedules", (r, p) -> {
                    Deployment d = deployments.get(p.get("id"));
                    Instant after = instant(r, "after", clock.now());
                    Instant until = instant(r, "until", null);
                    int limit = Views.limit(r, 10, Scheduler.MAX_LIST);
                    return ApiResponse.json(200, Views.list(schedules.upcoming(d, after, until, limit), null));
                }),
                new Route("POST", "/api/deployments/{id}/backfill", "Create (or list, for a dry run) the runs of past firings", (r, p) -> {
                    Deployment d = deployments.get(p.get("id"));
                    Bodies.Backfill b = Json.read(r.body(), Bodies.Backfill.class);
                    if (b.start() == null) throw BadInput.invalid("start", "'start' is required (ISO 8601 instant)");
                    if (b.end() == null) throw BadInput.invalid("end", "'end' is required (ISO 8601 instant)");
                    boolean dryRun = Boolean.TRUE.equals(b.dryRun());
                    return ApiResponse.json(dryRun ? 200 : 201, Views.list(schedules.backfill(d, b.start(), b.end(), dryRun), null));
                }),
                new Route("GET", "/api/work_pools/{pool}/upcoming_runs", "Runs a pool will get soon: computed firings and late runs", (r, p) -> {
                    int hours = Views.intParam(r, "hours", 1, 1, MAX_PREVIEW_HOURS);
                    return ApiResponse.json(200, Views.list(schedules.preview(p.get("pool"), Duration.ofHours(hours),
                            Views.limit(r, 100, Scheduler.MAX_LIST)), null));
                }));
    }

    private static Instant instant(ApiRequest r, String name, Instant fallback) {
        String raw = r.queryParam(name);
        if (raw == null || raw.isEmpty()) return fallback;
        try {
            return Instants.check(name, Instant.parse(raw));
        } catch (DateTimeParseException e) {
            throw BadInput.invalid(name, "'" + name + "' must be an ISO 8601 instant like 2026-03-08T07:00:00Z (got '" + raw + "')");
        }
    }
}
