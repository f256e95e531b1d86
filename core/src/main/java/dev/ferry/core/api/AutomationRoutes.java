package dev.ferry.core.api;

import dev.ferry.core.automations.AutomationService;
import dev.ferry.core.common.Json;
import java.util.List;
import java.util.Set;

final class AutomationRoutes {
    private final AutomationService automations;

    AutomationRoutes(AutomationService automations) {
        this.automations = automations;
    }

    List<Route> routes() {
        return List.of(
                new Route("POST", "/api/automations", "Create an automation", (r, p) -> {
                    Bodies.CreateAutomation b = Json.read(r.body(), Bodies.CreateAutomation.class);
                    return ApiResponse.json(201, automations.create(new AutomationService.NewAutomation(b.name(), b.description(),
                            b.enabled(), b.trigger(), b.actions())));
                }),
                new Route("GET", "/api/automations", "List automations by name", (r, p) -> ApiResponse.json(200, Views.list(
                        automations.list(Views.limit(r, Views.DEFAULT_LIMIT, Views.MAX_LIMIT), r.queryParam("next")), a -> a))),
                new Route("GET", "/api/automations/{id}", "Read an automation",
                        (r, p) -> ApiResponse.json(200, automations.get(p.get("id")))),
                new Route("GET", "/api/automations/name/{name}", "Read an automation by its name",
                        (r, p) -> ApiResponse.json(200, automations.byName(p.get("name")))),
                new Route("PATCH", "/api/automations/{id}", "Change an automation; enabled: false pauses it", (r, p) -> {
                    Patch b = Patch.read(r.body(), Set.of("description", "enabled", "trigger", "actions"));
                    return ApiResponse.json(200, automations.update(p.get("id"), new AutomationService.Change(b.text("description"),
                            b.has("description"), b.bool("enabled"), b.object("trigger"), b.objects("actions"))));
                }),
                new Route("DELETE", "/api/automations/{id}", "Delete an automation", (r, p) -> {
                    automations.delete(p.get("id"));
                    return ApiResponse.noContent();
                }),
                new Route("GET", "/api/automations/{id}/history",
                        "Why it fired or not: its latest evaluations (near misses too), open windows and firings",
                        (r, p) -> ApiResponse.json(200, automations.inspect(p.get("id")))));
    }
}
