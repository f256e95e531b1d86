package dev.ferry.core.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Json;
import dev.ferry.core.pools.PoolService;
import dev.ferry.core.pools.WorkPool;
import dev.ferry.core.pools.WorkQueue;
import dev.ferry.core.pools.Worker;
import dev.ferry.core.runs.ClaimService;
import java.util.List;
import java.util.Map;
import java.util.Set;

final class PoolRoutes {
    private final PoolService pools;
    private final ClaimService claims;
    private final Clock clock;

    PoolRoutes(PoolService pools, ClaimService claims, Clock clock) {
        this.pools = pools;
        this.claims = claims;
        this.clock = clock;
    }

    List<Route> routes() {
        return List.of(
                new Route("POST", "/api/work_pools", "Create a work pool (with its default queue)", (r, p) -> {
                    Bodies.CreatePool b = Json.read(r.body(), Bodies.CreatePool.class);
                    return ApiResponse.json(201, pool(pools.create(new PoolService.NewPool(b.name(), b.type(),
                            b.description(), b.baseJobTemplate(), b.concurrencyLimit(), b.isPaused()))));
                }),
                new Route("GET", "/api/work_pools", "List work pools",
                        (r, p) -> ApiResponse.json(200, Views.list(pools.list(limit(r), r.queryParam("next")), this::pool))),
                new Route("GET", "/api/work_pools/{pool}", "Read a work pool",
                        (r, p) -> ApiResponse.json(200, pool(pools.get(p.get("pool"))))),
                new Route("PATCH", "/api/work_pools/{pool}", "Update a work pool", (r, p) -> {
                    Patch b = Patch.read(r.body(), Set.of("description", "concurrency_limit", "is_paused", "base_job_template"));
                    return ApiResponse.json(200, pool(pools.update(p.get("pool"), new PoolService.PoolChange(
                            b.text("description"), b.has("description"), b.integer("concurrency_limit"),
                            b.has("concurrency_limit"), b.bool("is_paused"), b.object("base_job_template")))));
                }),
                new Route("DELETE", "/api/work_pools/{pool}", "Delete a work pool", (r, p) -> {
                    pools.delete(p.get("pool"));
                    return ApiResponse.noContent();
                }),
                new Route("POST", "/api/work_pools/{pool}/queues", "Create a work queue", (r, p) -> {
                    Bodies.CreateQueue b = Json.read(r.body(), Bodies.CreateQueue.class);
                    return ApiResponse.json(201, queue(pools.createQueue(p.get("pool"), new PoolService.NewQueue(
                            b.name(), b.description(), b.priority(), b.concurrencyLimit(), b.isPaused()))));
                }),
                new Route("GET", "/api/work_pools/{pool}/queues", "List a pool's work queues", (r, p) ->
                        ApiResponse.json(200, Views.list(pools.queues(p.get("pool"), limit(r), r.queryParam("next")), this::queue))),
                new Route("GET", "/api/work_pools/{pool}/queues/{queue}", "Read a work queue",
                        (r, p) -> ApiResponse.json(200, queue(pools.queue(p.get("pool"), p.get("queue"))))),
                new Route("PATCH", "/api/work_pools/{pool}/queues/{queue}", "Update a work queue", (r, p) -> {
                    Patch b = Patch.read(r.body(), Set.of("description", "priority", "concurrency_limit", "is_paused"));
                    return ApiResponse.json(200, queue(pools.updateQueue(p.get("pool"), p.get("queue"),
                            new PoolService.QueueChange(b.text("description"), b.has("description"), b.integer("priority"),
                                    b.integer("concurrency_limit"), b.has("concurrency_limit"), b.bool("is_paused")))));
                }),
                new Route("DELETE", "/api/work_pools/{pool}/queues/{queue}", "Delete a work queue", (r, p) -> {
                    pools.deleteQueue(p.get("pool"), p.get("queue"));
                    return ApiResponse.noContent();
                }),
                new Route("POST", "/api/work_pools/{pool}/workers/heartbeat", "Record a worker heartbeat", (r, p) -> {
                    Bodies.Heartbeat b = Json.read(r.body(), Bodies.Heartbeat.class);
                    return ApiResponse.json(200, worker(pools.heartbeat(p.get("pool"), b.name(), b.heartbeatIntervalSeconds(),
                            p.get(Route.CALLER_KEY))));
                }),
                new Route("GET", "/api/work_pools/{pool}/workers", "List a pool's workers", (r, p) ->
                        ApiResponse.json(200, Views.list(pools.workers(p.get("pool"), limit(r), r.queryParam("next")), this::worker))),
                new Route("POST", "/api/work_pools/{pool}/get_scheduled_flow_runs",
                        "Claim due runs for a worker (long poll with wait_seconds)", (r, p) -> {
                    Bodies.GetScheduledRuns b = Json.read(r.body(), Bodies.GetScheduledRuns.class);
                    List<ClaimService.Claimed> claimed = claims.claim(p.get("pool"), new ClaimService.Request(
                            b.workerName(), b.workQueueNames(), b.limit(), b.waitSeconds(), r.timeLeft(), p.get(Route.CALLER_KEY)));
                    return ApiResponse.json(200, Map.of("items", claimed.stream().map(ClaimView::of).toList()));
                }));
    }

    private static int limit(ApiRequest request) {
        return Views.limit(request, Views.DEFAULT_LIMIT, Views.MAX_LIMIT);
    }

    private ObjectNode pool(WorkPool pool) {
        ObjectNode node = Views.tree(pool);
        node.put("status", pools.status(pool).name());
        return node;
    }

    private ObjectNode queue(WorkQueue queue) {
        ObjectNode node = Views.tree(queue);
        node.remove("pool_id");
        node.put("status", queue.status(clock.now()).name());
        return node;
    }

    private ObjectNode worker(Worker worker) {
        ObjectNode node = Views.tree(worker);
        node.remove("pool_id");
        node.remove("registered_by");
        node.put("status", worker.status(clock.now()).name());
        return node;
    }
}
