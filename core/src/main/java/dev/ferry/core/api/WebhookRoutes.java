package dev.ferry.core.api;

import dev.ferry.core.auth.AccessDenied;
import dev.ferry.core.auth.ApiKeyService;
import dev.ferry.core.auth.Principal;
import dev.ferry.core.auth.Role;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Json;
import dev.ferry.core.webhooks.Webhook;
import dev.ferry.core.webhooks.WebhookService;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

final class WebhookRoutes {
    private final WebhookService webhooks;
    private final ApiKeyService auth;

    WebhookRoutes(WebhookService webhooks, ApiKeyService auth) {
        this.webhooks = webhooks;
        this.auth = auth;
    }

    List<Route> routes() {
        return List.of(
                new Route("POST", "/hooks/{slug}", "A webhook's address: the request becomes an event", (r, p) -> {
                    Map<String, String> query = new LinkedHashMap<>();
                    r.query().forEach((k, v) -> query.put(k, v.isEmpty() ? "" : v.get(0)));
                    WebhookService.Answer a = webhooks.receive(new WebhookService.Inbound(p.get("slug"), r.method(), r.headers(),
                            query, r.body()), this::mayEmit);
                    if (a.status() >= 400) {
                        ApiResponse problem = ApiResponse.problem(a.status(), String.valueOf(a.body().get("detail")), null, null);
                        Map<String, String> headers = new HashMap<>(problem.headers());
                        headers.putAll(a.headers());
                        return new ApiResponse(a.status(), headers, problem.body());
                    }
                    return ApiResponse.json(a.status(), a.body());
                }),
                new Route("POST", "/api/webhooks", "Create a webhook; its secret is shown this once", (r, p) -> {
                    Bodies.CreateWebhook b = Json.read(r.body(), Bodies.CreateWebhook.class);
                    return ApiResponse.json(201, view(webhooks.create(new WebhookService.NewWebhook(b.name(), b.template(), b.verify(),
                            b.enabled()))));
                }),
                new Route("GET", "/api/webhooks", "List webhooks by name", (r, p) -> ApiResponse.json(200, Views.list(
                        webhooks.list(Views.limit(r, Views.DEFAULT_LIMIT, Views.MAX_LIMIT), r.queryParam("next")), WebhookRoutes::view))),
                new Route("GET", "/api/webhooks/{id}", "Read a webhook", (r, p) -> ApiResponse.json(200, view(webhooks.get(p.get("id"))))),
                new Route("GET", "/api/webhooks/name/{name}", "Read a webhook by its name",
                        (r, p) -> ApiResponse.json(200, view(webhooks.byName(p.get("name"))))),
                new Route("PATCH", "/api/webhooks/{id}", "Turn a webhook on or off, or change its template", (r, p) -> {
                    Patch b = Patch.read(r.body(), Set.of("enabled", "template"));
                    Webhook w = webhooks.get(p.get("id"));
                    if (b.has("template")) w = webhooks.setTemplate(w.id(), b.object("template"));
                    if (b.has("enabled")) {
                        Boolean enabled = b.bool("enabled");
                        if (enabled == null) throw BadInput.invalid("enabled", "'enabled' is true or false (leave it out to keep it)");
                        w = webhooks.setEnabled(w.id(), enabled);
                    }
                    return ApiResponse.json(200, view(w));
                }),
                new Route("POST", "/api/webhooks/{id}/rotate",
                        "A new address and secret; the old ones keep working for grace_seconds", (r, p) -> {
                    Bodies.Rotate b = r.body() == null || r.body().length == 0 ? new Bodies.Rotate(null, null)
                            : Json.read(r.body(), Bodies.Rotate.class);
                    long grace = b.graceSeconds() == null ? 0 : b.graceSeconds();
                    return ApiResponse.json(200, view(webhooks.rotate(p.get("id"), Duration.ofSeconds(grace), b.secret())));
                }),
                new Route("DELETE", "/api/webhooks/{id}", "Delete a webhook; its addresses stop answering", (r, p) -> {
                    webhooks.delete(p.get("id"));
                    return ApiResponse.noContent();
                }),
                new Route("GET", "/api/webhooks/{id}/deliveries", "Its latest deliveries and their outcome",
                        (r, p) -> ApiResponse.json(200, Map.of("items", webhooks.deliveries(p.get("id"))))),
                new Route("POST", "/api/webhooks/{id}/test", "What a sample request would become (nothing is emitted)", (r, p) -> {
                    Bodies.WebhookSample b = Json.read(r.body(), Bodies.WebhookSample.class);
                    Map<String, String> headers = new LinkedHashMap<>();
                    if (b.headers() != null) b.headers().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v));
                    byte[] body = b.body() == null ? new byte[0] : b.body().getBytes(StandardCharsets.UTF_8);
                    Webhook w = webhooks.get(p.get("id"));
                    return ApiResponse.json(200, Map.of("event", webhooks.test(w.id(), new WebhookService.Inbound(w.slug(),
                            b.method() == null ? "POST" : b.method(), headers, b.query() == null ? Map.of() : b.query(), body))));
                }));
    }

    /** A webhook verified by API key takes the keys that may emit events: DEPLOYER and ADMIN. */
    private boolean mayEmit(String authorization) {
        try {
            Principal who = auth.authenticate(authorization);
            return who instanceof Principal.BootstrapAdmin || (who instanceof Principal.Key k
                    && (k.key().role() == Role.ADMIN || k.key().role() == Role.DEPLOYER));
        } catch (AccessDenied | BadInput e) {
            return false;
        }
    }

    /** A webhook as the API shows it: its address, never its secrets. */
    static Map<String, Object> view(Webhook w) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", w.id());
        view.put("name", w.name());
        view.put("path", "/hooks/" + w.slug());
        view.put("template", w.template());
        view.put("verify", w.verification().shown());
        view.put("enabled", w.enabled());
        view.put("retired", w.retired().stream().map(r -> Map.of("path", "/hooks/" + r.slug(), "until", r.until())).toList());
        view.put("created", w.created());
        view.put("updated", w.updated());
        view.put("revision", w.revision());
        return view;
    }

    static Map<String, Object> view(WebhookService.Created c) {
        Map<String, Object> view = view(c.webhook());
        if (c.secret() != null) view.put("secret", c.secret());
        return view;
    }
}
