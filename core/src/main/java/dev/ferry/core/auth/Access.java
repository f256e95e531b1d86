package dev.ferry.core.auth;

import static dev.ferry.core.auth.Access.Grant.ANYONE;
import static dev.ferry.core.auth.Access.Grant.ANY_KEY;
import static dev.ferry.core.auth.Access.Grant.DEPLOYER;
import static dev.ferry.core.auth.Access.Grant.POOL_WORKER;
import static dev.ferry.core.auth.Access.Grant.READER;
import static dev.ferry.core.auth.Access.Grant.RUN_TOKEN;
import static dev.ferry.core.auth.Access.Grant.RUN_WORKER;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Who may call which route: one table, by method and path template. ADMIN may call every route
 * and is not repeated in the rows. A route missing from the table is ADMIN-only, so a new route
 * is closed until someone decides otherwise (the authorization matrix test names it then).
 */
public final class Access {

    /** A kind of caller a route lets in, besides ADMIN. */
    public enum Grant {
        /** No credential needed at all. */
        ANYONE,
        /** Any API key, whatever its role (not a run token). */
        ANY_KEY,
        DEPLOYER,
        READER,
        /** A WORKER key that names the route's {@code {pool}}. */
        POOL_WORKER,
        /** A WORKER key that names the pool of the route's flow run {@code {id}}. */
        RUN_WORKER,
        /** The run token of the route's flow run {@code {id}}. */
        RUN_TOKEN
    }

    /** A run token keeps working this long after its run ended: for the last logs and reads of a flow that is exiting. */
    public static final Duration RUN_TOKEN_GRACE = Duration.ofMinutes(5);

    private static final Map<String, Set<Grant>> TABLE = new LinkedHashMap<>();

    /**
     * What access needs to know of a flow run.
     *
     * @param pool its work pool's name ("" for none)
     * @param claimed the timestamp of the Pending state of its current claim; null when it has none
     *                (never claimed, or scheduled again since: a retry is a new attempt, and a new claim)
     * @param ended when it reached a terminal state; null while it is not in one
     */
    public record RunFacts(String pool, Instant claimed, Instant ended) {}

    static {
        // system
        allow("GET /api/health", ANYONE);
        allow("GET /api/openapi.json", ANY_KEY);
        allow("GET /api/work_pool_types/{type}/base_job_template", DEPLOYER, READER);
        // work pools, queues, workers: changed by admins only; a worker sees and works its own pools
        allow("POST /api/work_pools");
        allow("GET /api/work_pools", DEPLOYER, READER);
        allow("GET /api/work_pools/{pool}", DEPLOYER, READER, POOL_WORKER);
        allow("PATCH /api/work_pools/{pool}");
        allow("DELETE /api/work_pools/{pool}");
        allow("POST /api/work_pools/{pool}/queues");
        allow("GET /api/work_pools/{pool}/queues", DEPLOYER, READER, POOL_WORKER);
        allow("GET /api/work_pools/{pool}/queues/{queue}", DEPLOYER, READER, POOL_WORKER);
        allow("PATCH /api/work_pools/{pool}/queues/{queue}");
        allow("DELETE /api/work_pools/{pool}/queues/{queue}");
        allow("POST /api/work_pools/{pool}/workers/heartbeat", POOL_WORKER);
        allow("GET /api/work_pools/{pool}/workers", DEPLOYER, READER, POOL_WORKER);
        allow("POST /api/work_pools/{pool}/get_scheduled_flow_runs", POOL_WORKER);
        allow("GET /api/work_pools/{pool}/upcoming_runs", DEPLOYER, READER, POOL_WORKER);
        // deployments
        allow("POST /api/deployments", DEPLOYER);
        allow("GET /api/deployments", DEPLOYER, READER);
        allow("GET /api/deployments/{id}", DEPLOYER, READER);
        allow("GET /api/deployments/name/{flow_name}/{name}", DEPLOYER, READER);
        allow("PATCH /api/deployments/{id}", DEPLOYER);
        allow("DELETE /api/deployments/{id}", DEPLOYER);
        allow("POST /api/deployments/{id}/create_flow_run", DEPLOYER);
        allow("GET /api/deployments/{id}/schedules", DEPLOYER, READER);
        allow("POST /api/deployments/{id}/schedules", DEPLOYER);
        allow("PATCH /api/deployments/{id}/schedules/{slug}", DEPLOYER);
        allow("DELETE /api/deployments/{id}/schedules/{slug}", DEPLOYER);
        allow("POST /api/deployments/{id}/pause", DEPLOYER);
        allow("POST /api/deployments/{id}/resume", DEPLOYER);
        allow("GET /api/deployments/{id}/upcoming_runs", DEPLOYER, READER);
        allow("POST /api/deployments/{id}/backfill", DEPLOYER);
        // flow runs: deployers start and stop them, whoever runs one reports on it
        allow("GET /api/flow_runs", DEPLOYER, READER);
        allow("GET /api/flow_runs/activity", DEPLOYER, READER);
        allow("GET /api/flow_runs/{id}", DEPLOYER, READER, RUN_WORKER, RUN_TOKEN);
        allow("GET /api/flow_runs/{id}/deployment", DEPLOYER, READER, RUN_WORKER, RUN_TOKEN);
        allow("POST /api/flow_runs/{id}/set_state", RUN_WORKER, RUN_TOKEN);
        allow("POST /api/flow_runs/{id}/heartbeat", RUN_WORKER, RUN_TOKEN);
        allow("POST /api/flow_runs/{id}/cancel", DEPLOYER);
        allow("POST /api/flow_runs/{id}/retry", DEPLOYER);
        allow("POST /api/flow_runs/{id}/logs", RUN_WORKER, RUN_TOKEN);
        allow("GET /api/flow_runs/{id}/logs", DEPLOYER, READER, RUN_TOKEN);
        // events: deployers emit their own (names under ferry. are refused), readers read
        allow("POST /api/events", DEPLOYER);
        allow("GET /api/events", DEPLOYER, READER);
        // a flow emits events about its own run, with its run token
        allow("POST /api/flow_runs/{id}/events", RUN_TOKEN);
        // automations: deployers make and change them, readers read them
        allow("POST /api/automations", DEPLOYER);
        allow("GET /api/automations", DEPLOYER, READER);
        allow("GET /api/automations/{id}", DEPLOYER, READER);
        allow("GET /api/automations/name/{name}", DEPLOYER, READER);
        allow("PATCH /api/automations/{id}", DEPLOYER);
        allow("DELETE /api/automations/{id}", DEPLOYER);
        allow("GET /api/automations/{id}/history", DEPLOYER, READER);
        // webhooks: their address is public (its slug and signature guard it); deployers manage them (a webhook's
        // address lets its holder emit events, which deployers may anyway), and only they see it
        allow("POST /hooks/{slug}", ANYONE);
        allow("POST /api/webhooks", DEPLOYER);
        allow("GET /api/webhooks", DEPLOYER);
        allow("GET /api/webhooks/{id}", DEPLOYER);
        allow("GET /api/webhooks/name/{name}", DEPLOYER);
        allow("PATCH /api/webhooks/{id}", DEPLOYER);
        allow("POST /api/webhooks/{id}/rotate", DEPLOYER);
        allow("DELETE /api/webhooks/{id}", DEPLOYER);
        allow("GET /api/webhooks/{id}/deliveries", DEPLOYER);
        allow("POST /api/webhooks/{id}/test", DEPLOYER);
        // API keys: admins only
        allow("POST /api/api_keys");
        allow("GET /api/api_keys");
        allow("DELETE /api/api_keys/{id}");
    }

    private Access() {}

    private static void allow(String route, Grant... grants) {
        Set<Grant> set = EnumSet.noneOf(Grant.class);
        set.addAll(List.of(grants));
        if (TABLE.put(route, set) != null) throw new IllegalStateException("route " + route + " is in the table twice");
    }

    /** The grants of a route ({@code "GET /api/flow_runs/{id}"}); empty means ADMIN only. */
    public static Set<Grant> grants(String method, String template) {
        Set<Grant> grants = TABLE.get(method + " " + template);
        return grants == null ? Set.of() : Set.copyOf(grants);
    }

    /** The routes the table names, as {@code "METHOD /path/template"}. */
    public static Set<String> routes() {
        return java.util.Collections.unmodifiableSet(TABLE.keySet());
    }

    static boolean isPublic(String method, String template) {
        return grants(method, template).contains(ANYONE);
    }

    /**
     * Lets {@code who} call the route or throws a 403 saying why not (a 401 for a run token whose
     * attempt is over).
     *
     * @param params the route's path parameters ({@code pool}, {@code id})
     * @param runs what is known of a flow run; empty when there is no such run (the route then
     *             answers 404 itself)
     */
    static void check(Principal who, String method, String template, Map<String, String> params,
                      Function<String, Optional<RunFacts>> runs, Instant now) {
        Set<Grant> grants = grants(method, template);
        String route = method + " " + template;
        if (grants.contains(ANYONE) || who instanceof Principal.Anyone || who instanceof Principal.BootstrapAdmin) return;
        if (who instanceof Principal.Run run) {
            if (!grants.contains(RUN_TOKEN)) {
                throw AccessDenied.forbidden("a run token only works for its own run's set_state, heartbeat, logs, "
                        + "events and reads, not for " + route);
            }
            if (!run.runId().equals(params.get("id"))) {
                throw AccessDenied.forbidden("this run token belongs to flow run " + run.runId()
                        + ", not to flow run '" + params.get("id") + "'");
            }
            runs.apply(run.runId()).ifPresent(facts -> current(run, facts, now));
            return;
        }
        ApiKeyRecord key = ((Principal.Key) who).key();
        if (grants.contains(ANY_KEY)) return;
        switch (key.role()) {
            case ADMIN:
                return;
            case DEPLOYER:
                if (grants.contains(DEPLOYER)) return;
                break;
            case READER:
                if (grants.contains(READER)) return;
                break;
            case WORKER:
                if (grants.contains(POOL_WORKER)) {
                    String pool = params.get("pool");
                    if (pool != null && key.pools().contains(pool)) return;
                    throw notOnKey(key, "work pool '" + pool + "'");
                }
                if (grants.contains(RUN_WORKER)) {
                    Optional<String> pool = runs.apply(params.get("id")).map(RunFacts::pool);
                    if (pool.isEmpty() || key.pools().contains(pool.get())) return;
                    throw notOnKey(key, "flow run '" + params.get("id") + "' of work pool '" + pool.get() + "'");
                }
                break;
            default:
                break;
        }
        throw AccessDenied.forbidden(key.describe() + " has role " + key.role() + ", which may not call " + route
                + "; roles that may: " + allowedRoles(grants));
    }

    /** A run token speaks for the attempt it was handed to, while it lasts, and no other. */
    private static void current(Principal.Run run, RunFacts facts, Instant now) {
        if (!java.util.Objects.equals(run.claimed(), facts.claimed())) {
            throw AccessDenied.unauthenticated("this run token ended: it was handed to an earlier attempt of flow run "
                    + run.runId() + (facts.claimed() == null ? ", which is scheduled again" : ", which was claimed again at "
                    + facts.claimed()));
        }
        if (facts.ended() != null && now.isAfter(facts.ended().plus(RUN_TOKEN_GRACE))) {
            throw AccessDenied.unauthenticated("this run token ended: flow run " + run.runId() + " ended at " + facts.ended()
                    + ", more than " + RUN_TOKEN_GRACE.toMinutes() + " minutes ago");
        }
    }

    private static AccessDenied notOnKey(ApiKeyRecord key, String what) {
        return AccessDenied.forbidden(key.describe() + " is a WORKER key for work pools " + key.pools()
                + " only; it may not act on " + what);
    }

    private static String allowedRoles(Set<Grant> grants) {
        if (grants.contains(ANY_KEY)) return "any";
        StringBuilder sb = new StringBuilder("ADMIN");
        if (grants.contains(DEPLOYER)) sb.append(", DEPLOYER");
        if (grants.contains(POOL_WORKER) || grants.contains(RUN_WORKER)) sb.append(", WORKER (of the pool)");
        if (grants.contains(READER)) sb.append(", READER");
        return sb.toString();
    }
}
