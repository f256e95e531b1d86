package dev.ferry.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.Ferry;
import dev.ferry.core.common.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Runs in a JVM of its own, on the deployed jar alone ({@link ShrunkJarIT}): every function's
 * handler, through every SDK operation Ferry calls, so that a class the shrinking dropped and
 * Ferry needs fails here rather than in Lambda. It uses nothing but what the jar holds.
 */
final class ShrunkJarDrill {
    private ShrunkJarDrill() {}

    public static void main(String[] args) throws Exception {
        Container container = Container.from(System.getenv());
        Ferry ferry = container.wiring().ferry();
        ApiFunction api = ApiFunction.primed(container.wiring());
        String key = System.getenv("DRILL_KEY");

        call(api, key, "POST", "/api/work_pools", "{\"name\": \"ecs-pool\", \"type\": \"ecs\"}");
        String jobVariables = "{\"cluster\": \"" + System.getenv("DRILL_CLUSTER") + "\", \"image\": \"ghcr.io/acme/flows:1\", "
                + "\"subnets\": [\"" + System.getenv("DRILL_SUBNET") + "\"], \"security_groups\": [\"sg-0123456789abcdef0\"], "
                + "\"command\": \"python -m flows.etl\", \"execution_role_arn\": \"arn:aws:iam::123456789012:role/ferry-exec\", "
                + "\"cloudwatch_logs\": {\"group\": \"/ferry/tasks\", \"stream_prefix\": \"etl\"}}";
        String deployment = call(api, key, "POST", "/api/deployments", "{\"name\": \"nightly\", \"flow_name\": \"etl\", "
                + "\"entrypoint\": \"flows/etl.py:etl\", \"work_pool_name\": \"ecs-pool\", \"job_variables\": " + jobVariables + "}")
                .path("id").asText();
        call(api, key, "POST", "/api/deployments/" + deployment + "/schedules", "{\"cron\": \"0 3 * * *\"}");
        String run = call(api, key, "POST", "/api/deployments/" + deployment + "/create_flow_run", "{}").path("id").asText();

        Map<String, Integer> dispatched = new EcsDispatchFunction(ferry).handleRequest(new ScheduledEvent(), context("EcsDispatchFunction"));
        step("ecs dispatch " + dispatched);
        String taskArn = call(api, key, "GET", "/api/flow_runs/" + run, null).path("infrastructure_id").asText();
        if (taskArn.isEmpty()) throw new AssertionError("the dispatch started no task");

        @SuppressWarnings("unchecked")
        Map<String, Object> running = Json.MAPPER.readValue(Files.readString(Path.of(System.getenv("DRILL_EVENTS"),
                "ecs-events-task-running.json")).replace("7c2d9e4b-1a3f-4e8b-b6c5-2f9a0d1e3b47", run)
                .replace("arn:aws:ecs:us-east-1:123456789012:task/ferry/0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e", taskArn), Map.class);
        step("ecs event " + new EcsEventsFunction(ferry).handleRequest(running, context("EcsEventsFunction")));
        call(api, key, "GET", "/api/flow_runs/" + run + "/logs", null);
        call(api, key, "POST", "/api/flow_runs/" + run + "/cancel", null);
        step("ecs reconcile " + new EcsDispatchFunction(ferry).handleRequest(new ScheduledEvent(), context("EcsDispatchFunction")));
        step("janitor " + new JanitorFunction(ferry).handleRequest(new ScheduledEvent(), context("JanitorFunction")));
        step("schedule " + new ScheduleFunction(ferry).handleRequest(Map.of("deployment_id", deployment,
                "slug", "nightly", "at", "2026-01-31T01:00:00Z", "scheduled_time", "2026-01-31T01:00:00Z"), context("ScheduleFunction")));
        DynamodbEvent none = new DynamodbEvent();
        none.setRecords(List.of());
        step("automations " + new AutomationsFunction(ferry).handleRequest(none, context("AutomationsFunction")));
        call(api, key, "DELETE", "/api/deployments/" + deployment, null);
        container.clients().close();
        System.out.println("drill: done");
    }

    private static JsonNode call(ApiFunction api, String key, String method, String path, String body) {
        APIGatewayV2HTTPEvent event = APIGatewayV2HTTPEvent.builder().withVersion("2.0").withRawPath(path).withRawQueryString("")
                .withHeaders(Map.of("authorization", "Bearer " + key, "content-type", "application/json"))
                .withBody(body)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder().withStage("$default")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(method).withPath(path).build())
                        .build())
                .build();
        APIGatewayV2HTTPResponse response = api.handleRequest(event, context("ApiFunction"));
        step(method + " " + path + " " + response.getStatusCode());
        if (response.getStatusCode() >= 300) throw new AssertionError(method + " " + path + " answered " + response.getBody());
        return response.getBody() == null || response.getBody().isEmpty() ? Json.MAPPER.nullNode() : Json.tree(response.getBody());
    }

    private static LocalContext context(String function) {
        return new LocalContext(function, Duration.ofSeconds(29));
    }

    private static void step(String what) {
        System.out.println("drill: " + what);
    }
}
