package dev.ferry.core.api;

import dev.ferry.core.Ferry;
import dev.ferry.core.auth.Access;
import dev.ferry.core.auth.AccessDenied;
import dev.ferry.core.auth.ApiKeyService;
import dev.ferry.core.auth.Principal;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Contention;
import dev.ferry.core.runs.FlowRun;
import dev.ferry.core.runs.TransitionRefused;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP API as a pure function: {@link ApiRequest} in, {@link ApiResponse} out. The embedded
 * server and the Lambda handler both call it, so both speak exactly the same API.
 */
public final class Router {
    public static final int MAX_BODY_BYTES = 1024 * 1024;
    private static final Logger LOG = Logger.getLogger(Router.class.getName());

    private final List<Route> routes;
    private final ApiKeyService auth;
    private final Ferry ferry;
    private final Predicate<Throwable> busy;

    /**
     * @param auth decides who may call what (stored keys with roles, run tokens, the bootstrap admin)
     */
    public Router(Ferry ferry, Clock clock, ApiKeyService auth) {
        this(ferry, clock, auth, e -> false);
    }

    /**
     * @param busy what the adapters' backend throws when it is throttling (it outlasted their
     *             retries): answered 503 with {@code Retry-After}, like any other contention
     */
    public Router(Ferry ferry, Clock clock, ApiKeyService auth, Predicate<Throwable> busy) {
        this.auth = auth;
        this.ferry = ferry;
        this.busy = busy;
        List<Route> all = new ArrayList<>();
        all.addAll(new SystemRoutes().routes());
        all.addAll(new PoolRoutes(ferry.pools(), ferry.claims(), clock).routes());
        all.addAll(new DeploymentRoutes(ferry.deployments(), ferry.runs(), ferry.automations().service()).routes());
        all.addAll(new ScheduleRoutes(ferry.deployments(), ferry.schedules(), clock).routes());
        all.addAll(new ActivityRoutes(ferry.runs(), clock).routes());
        all.addAll(new RunRoutes(ferry.runs()).routes());
        all.addAll(new EventRoutes(ferry.events(), ferry.runs()).routes());
        all.addAll(new AutomationRoutes(ferry.automations().service()).routes());
        all.addAll(new WebhookRoutes(ferry.webhooks(), auth).routes());
        all.addAll(new ApiKeyRoutes(auth).routes());
        this.routes = List.copyOf(all);
    }

    public List<Route> routes() {
        return routes;
    }

    public ApiResponse handle(ApiRequest request) {
        try {
            if (request.body() != null && request.body().length > MAX_BODY_BYTES) throw BadInput.tooLarge(MAX_BODY_BYTES);
            Optional<ApiResponse> refused = BrowserGuard.refusal(request);
            if (refused.isPresent()) return refused.get();
            String[] segments = split(request.path());
            Set<String> allowed = new LinkedHashSet<>();
            for (Route route : routes) {
                Map<String, String> params = match(route.segments(), segments);
                if (params == null) continue;
                if (!route.method().equals(request.method())) {
                    allowed.add(route.method());
                    continue;
                }
                Principal who = auth.authorize(request.header("authorization"), route.method(), route.path(), params,
                        this::runFacts);
                params.put(Route.CALLER, who.name());
                if (who instanceof Principal.Key key) params.put(Route.CALLER_KEY, key.key().hash());
                if (who instanceof Principal.Run run) params.put(Route.CALLER_RUN, run.runId());
                return route.handler().handle(request, params);
            }
            if (allowed.isEmpty() && WebUi.serves(request)) return WebUi.shared().handle(request);
            if (!allowed.isEmpty()) {
                ApiResponse r = ApiResponse.problem(405, request.method() + " is not allowed on " + request.path()
                        + "; allowed: " + String.join(", ", allowed), null, null);
                Map<String, String> headers = new HashMap<>(r.headers());
                headers.put("Allow", String.join(", ", allowed));
                return new ApiResponse(405, headers, r.body());
            }
            return ApiResponse.problem(404, "no API route " + request.method() + " " + request.path(), null, null);
        } catch (AccessDenied e) {
            return withHeader(ApiResponse.problem(e.status(), e.getMessage(), null, null), "WWW-Authenticate",
                    e.status() == 401 ? "Bearer realm=\"ferry\"" : "Bearer realm=\"ferry\", error=\"insufficient_scope\"");
        } catch (BadInput e) {
            return ApiResponse.problem(e.status(), e.getMessage(), e.field(), null);
        } catch (Contention e) {
            return busy(e.getMessage());
        } catch (TransitionRefused e) {
            return ApiResponse.problem(409, e.getMessage(), "state", Map.of("state", e.current().state(),
                    "flow_run_id", e.current().id()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ApiResponse.problem(503, "the server is shutting down", null, null);
        } catch (Exception e) {
            if (busy.test(e)) {
                LOG.log(Level.WARNING, "throttled on " + request.method() + " " + request.path() + ": " + e.getMessage());
                return busy("the store is throttling requests; nothing was written, send it again shortly");
            }
            LOG.log(Level.SEVERE, "unexpected error on " + request.method() + " " + request.path(), e);
            return ApiResponse.problem(500, "internal error; the server log has the details", null, null);
        }
    }

    /** For WORKER keys and run tokens on run routes: what access needs of the run, or empty when there is no such run (the route answers 404). */
    private Optional<Access.RunFacts> runFacts(String runId) {
        try {
            FlowRun run = ferry.runs().get(runId);
            Instant ended = !run.state().type().isTerminal() ? null : run.endTime() != null ? run.endTime() : run.state().timestamp();
            // a run of no pool is no worker's business
            return Optional.of(new Access.RunFacts(run.workPoolName() == null ? "" : run.workPoolName(), run.claimed(), ended));
        } catch (BadInput e) {
            if (e.status() == 404) return Optional.empty();
            throw e;
        }
    }

    private static ApiResponse busy(String detail) {
        return withHeader(ApiResponse.problem(503, detail, null, null), "Retry-After",
                Integer.toString(Contention.RETRY_AFTER_SECONDS));
    }

    private static ApiResponse withHeader(ApiResponse response, String name, String value) {
        Map<String, String> headers = new HashMap<>(response.headers());
        headers.put(name, value);
        return new ApiResponse(response.status(), headers, response.body());
    }

    private static String[] split(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.endsWith("/")) p = p.substring(0, p.length() - 1);
        return p.split("/", -1);
    }

    private static String decoded(String segment) {
        try {
            return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw BadInput.malformed("path", "the path segment '" + segment + "' has a malformed %-escape");
        }
    }

    private static Map<String, String> match(String[] template, String[] actual) {
        if (template.length != actual.length) return null;
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < template.length; i++) {
            String t = template[i];
            if (t.startsWith("{") && t.endsWith("}")) {
                String value = decoded(actual[i]);
                if (value.isEmpty()) return null;
                params.put(t.substring(1, t.length() - 1), value);
            } else if (!t.equals(actual[i])) {
                return null;
            }
        }
        return params;
    }
}
