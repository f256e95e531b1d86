package dev.ferry.core.api;

import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Json;
import dev.ferry.core.runs.FlowRun;
import dev.ferry.core.runs.FlowRunService;
import dev.ferry.core.runs.LogLine;
import dev.ferry.core.runs.RunFilter;
import dev.ferry.core.runs.StateType;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

final class RunRoutes {
    private static final int MAX_LOG_PAGE = 1000;
    private final FlowRunService runs;

    RunRoutes(FlowRunService runs) {
        this.runs = runs;
    }

    List<Route> routes() {
        return List.of(
                new Route("GET", "/api/flow_runs", "List flow runs, newest first", (r, p) -> ApiResponse.json(200,
                        Views.list(runs.list(new RunFilter(states(r), r.queryParam("deployment_id"),
                                r.queryParam("work_pool_name"), r.queryParam("work_queue_name")),
                                Views.limit(r, Views.DEFAULT_LIMIT, Views.MAX_LIMIT), r.queryParam("next")), FlowRunView::summary))),
                new Route("GET", "/api/flow_runs/{id}", "Read a flow run",
                        (r, p) -> ApiResponse.json(200, FlowRunView.of(runs.get(p.get("id"))))),
                new Route("POST", "/api/flow_runs/{id}/set_state", "Report a state; refused transitions answer 409", (r, p) -> {
                    Bodies.SetState b = Json.read(r.body(), Bodies.SetState.class);
                    if (b.state() == null) throw BadInput.invalid("state", "'state' is required, like {\"type\": \"RUNNING\"}");
                    FlowRun run = runs.setState(p.get("id"), b.state().type(), b.state().name(), b.state().message(),
                            b.transitionId(), b.infrastructureId());
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("status", "ACCEPT");
                    body.put("flow_run", FlowRunView.of(run));
                    return ApiResponse.json(200, body);
                }),
                new Route("POST", "/api/flow_runs/{id}/heartbeat", "Record a run heartbeat; answers the run",
                        (r, p) -> ApiResponse.json(200, FlowRunView.of(runs.heartbeat(p.get("id"))))),
                new Route("POST", "/api/flow_runs/{id}/cancel", "Cancel a run",
                        (r, p) -> ApiResponse.json(200, FlowRunView.of(runs.cancel(p.get("id"))))),
                new Route("POST", "/api/flow_runs/{id}/retry", "Run a finished run again",
                        (r, p) -> ApiResponse.json(200, FlowRunView.of(runs.retry(p.get("id"))))),
                new Route("POST", "/api/flow_runs/{id}/logs", "Append log lines", (r, p) -> {
                    Bodies.Logs b = Json.read(r.body(), Bodies.Logs.class);
                    runs.appendLogs(p.get("id"), b.logs() == null ? List.of() : b.logs().stream()
                            .map(l -> l == null ? null : new FlowRunService.NewLog(l.timestamp(), l.stream(), l.message()))
                            .toList(), p.containsKey(Route.CALLER_RUN) ? LogLine.Writer.RUN : LogLine.Writer.WORKER);
                    return ApiResponse.noContent();
                }),
                new Route("GET", "/api/flow_runs/{id}/logs", "Read log lines after a sequence number", (r, p) -> {
                    long after = Views.intParam(r, "after", 0, 0, Integer.MAX_VALUE);
                    int limit = Views.limit(r, 200, MAX_LOG_PAGE);
                    FlowRunService.LogPage page = runs.logPage(p.get("id"), after, limit);
                    Map<String, Object> body = Views.list(page.lines(), page.next());
                    body.put("truncated", page.truncated());
                    return ApiResponse.json(200, body);
                }));
    }

    private static Set<StateType> states(ApiRequest request) {
        Set<StateType> states = EnumSet.noneOf(StateType.class);
        for (String raw : request.queryParams("state_type")) {
            for (String part : raw.split(",")) {
                if (part.isBlank()) continue;
                try {
                    states.add(StateType.valueOf(part.strip().toUpperCase(java.util.Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw BadInput.invalid("state_type", "unknown state type '" + part + "'; accepted: "
                            + java.util.Arrays.toString(StateType.values()));
                }
            }
        }
        return states;
    }
}
