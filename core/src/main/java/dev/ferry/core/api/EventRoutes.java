package dev.ferry.core.api;

import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Json;
import dev.ferry.core.events.EventFilter;
import dev.ferry.core.events.EventService;
import dev.ferry.core.events.NewEvent;
import dev.ferry.core.runs.FlowRunService;
import dev.ferry.core.runs.RunEvents;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class EventRoutes {
    private final EventService events;
    private final FlowRunService runs;

    EventRoutes(EventService events, FlowRunService runs) {
        this.events = events;
        this.runs = runs;
    }

    List<Route> routes() {
        return List.of(
                new Route("POST", "/api/events", "Emit a batch of events (each stored once, by its id)", (r, p) -> {
                    EventService.Emitted emitted = events.emit(Arrays.asList(Json.read(r.body(), NewEvent[].class)));
                    return ApiResponse.json(202, Map.of("accepted", emitted.accepted(), "duplicates", emitted.duplicates()));
                }),
                new Route("POST", "/api/flow_runs/{id}/events", "Emit a batch of events from a flow run (its run token may): "
                        + "about the run unless they say otherwise, with the run's related resources", (r, p) -> {
                    List<NewEvent> batch = Arrays.asList(Json.read(r.body(), NewEvent[].class));
                    EventService.Emitted emitted = events.emit(batch, RunEvents.poster(runs.get(p.get("id"))));
                    return ApiResponse.json(202, Map.of("accepted", emitted.accepted(), "duplicates", emitted.duplicates()));
                }),
                new Route("GET", "/api/events", "List events, newest first (order=asc: oldest first, tailing when no until)",
                        (r, p) -> {
                            boolean ascending = order(r.queryParam("order"));
                            Instant until = instant(r, "until");
                            EventFilter range = events.defaults(instant(r, "since"), until);
                            EventFilter filter = new EventFilter(range.since(), range.until(), r.queryParams("event"),
                                    r.queryParams("resource"), labels(r.queryParams("label")), r.queryParams("related"),
                                    ascending);
                            return ApiResponse.json(200, Views.list(events.list(filter, ascending && until == null,
                                    Views.limit(r, Views.DEFAULT_LIMIT, Views.MAX_LIMIT), r.queryParam("next"),
                                    Views.intParam(r, "wait", 0, 0, EventService.MAX_WAIT_SECONDS), r.timeLeft()), e -> e));
                        }));
    }

    private static boolean order(String value) {
        if (value == null || value.equals("desc")) return false;
        if (value.equals("asc")) return true;
        throw BadInput.invalid("order", "'order' must be asc or desc (got '" + value + "')");
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

    /** {@code label=key=pattern}, repeatable; patterns of one key are alternatives. */
    private static Map<String, List<String>> labels(List<String> raw) {
        Map<String, List<String>> labels = new LinkedHashMap<>();
        for (String pair : raw) {
            int eq = pair.indexOf('=');
            if (eq <= 0) throw BadInput.invalid("label", "'label' takes key=pattern, like ferry.state-type=FAILED (got '" + pair + "')");
            labels.computeIfAbsent(pair.substring(0, eq), k -> new java.util.ArrayList<>()).add(pair.substring(eq + 1));
        }
        return labels;
    }
}
