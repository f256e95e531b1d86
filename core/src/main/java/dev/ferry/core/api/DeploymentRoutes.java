package dev.ferry.core.api;

import dev.ferry.core.automations.AutomationService;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Json;
import dev.ferry.core.deployments.CollisionStrategy;
import dev.ferry.core.deployments.Deployment;
import dev.ferry.core.deployments.DeploymentService;
import dev.ferry.core.runs.FlowRunService;
import java.util.List;
import java.util.Set;

final class DeploymentRoutes {
    private final DeploymentService deployments;
    private final FlowRunService runs;
    private final AutomationService automations;

    DeploymentRoutes(DeploymentService deployments, FlowRunService runs, AutomationService automations) {
        this.deployments = deployments;
        this.runs = runs;
        this.automations = automations;
    }

    List<Route> routes() {
        return List.of(
                new Route("POST", "/api/deployments", "Create or update a deployment (by flow name and name)", (r, p) -> {
                    Bodies.Deploy b = Json.read(r.body(), Bodies.Deploy.class);
                    DeploymentService.Upserted result = automations.deploy(new DeploymentService.Deploy(b.name(),
                            b.flowName(), b.entrypoint(), b.workPoolName(), b.workQueueName(), b.parameters(),
                            b.parameterOpenapiSchema(), b.enforceParameterSchema(), b.jobVariables(), b.tags(),
                            b.concurrencyLimit(), b.collisionStrategy(), b.paused(), b.pullSteps(), b.version(),
                            b.description(), b.retries(), b.retryDelaySeconds(), b.schedules(), b.overlap()), b.triggers());
                    Deployment d = result.deployment();
                    return ApiResponse.json(result.created() ? 201 : 200, DeploymentView.of(d));
                }),
                new Route("GET", "/api/deployments", "List deployments", (r, p) -> ApiResponse.json(200, Views.list(
                        deployments.list(r.queryParam("work_pool_name"), Views.limit(r, Views.DEFAULT_LIMIT, Views.MAX_LIMIT),
                                r.queryParam("next")), DeploymentView::of))),
                new Route("GET", "/api/deployments/{id}", "Read a deployment",
                        (r, p) -> ApiResponse.json(200, DeploymentView.of(deployments.get(p.get("id"))))),
                new Route("GET", "/api/flow_runs/{id}/deployment", "Read the deployment of a flow run (its run token may)",
                        (r, p) -> ApiResponse.json(200, DeploymentView.of(deployments.get(runs.get(p.get("id")).deploymentId())))),
                new Route("GET", "/api/deployments/name/{flow_name}/{name}", "Read a deployment by its names",
                        (r, p) -> ApiResponse.json(200, DeploymentView.of(deployments.get(p.get("flow_name"), p.get("name"))))),
                new Route("PATCH", "/api/deployments/{id}", "Update a deployment", (r, p) -> {
                    Patch b = Patch.read(r.body(), Set.of("paused", "concurrency_limit", "collision_strategy", "description",
                            "overlap"));
                    return ApiResponse.json(200, DeploymentView.of(deployments.update(p.get("id"), new DeploymentService.Change(
                            b.bool("paused"), b.integer("concurrency_limit"), b.has("concurrency_limit"),
                            strategy(b.text("collision_strategy")), b.text("description"), b.has("description"),
                            b.text("overlap")))));
                }),
                new Route("DELETE", "/api/deployments/{id}", "Delete a deployment, its schedules and its triggers", (r, p) -> {
                    automations.deleteDeployment(p.get("id"));
                    return ApiResponse.noContent();
                }),
                new Route("POST", "/api/deployments/{id}/create_flow_run", "Create a flow run of a deployment", (r, p) -> {
                    Deployment deployment = deployments.get(p.get("id"));
                    Bodies.CreateRun b = r.body() == null || r.body().length == 0
                            ? new Bodies.CreateRun(null, null, null, null, null, null)
                            : Json.read(r.body(), Bodies.CreateRun.class);
                    FlowRunService.Created created = runs.create(deployment, new FlowRunService.NewRun(b.parameters(),
                            b.jobVariables(), b.idempotencyKey(), b.scheduledStartTime(), b.tags(), b.name()));
                    return ApiResponse.json(created.created() ? 201 : 200, FlowRunView.of(created.run()));
                }));
    }

    private static CollisionStrategy strategy(String value) {
        if (value == null) return null;
        try {
            return CollisionStrategy.valueOf(value);
        } catch (IllegalArgumentException e) {
            throw BadInput.invalid("collision_strategy", "'collision_strategy' must be ENQUEUE or CANCEL_NEW (got '" + value + "')");
        }
    }
}
