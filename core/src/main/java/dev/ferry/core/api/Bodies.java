package dev.ferry.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.auth.Role;
import dev.ferry.core.deployments.CollisionStrategy;
import dev.ferry.core.pools.PoolType;
import dev.ferry.core.runs.StateType;
import java.time.Instant;
import java.util.List;

/** Request bodies. Read strictly: unknown fields and wrong types are refused, naming the field. */
final class Bodies {
    private Bodies() {}

    record CreatePool(String name, PoolType type, String description, ObjectNode baseJobTemplate,
                      Integer concurrencyLimit, Boolean isPaused) {}

    record CreateQueue(String name, String description, Integer priority, Integer concurrencyLimit, Boolean isPaused) {}

    record Heartbeat(String name, Integer heartbeatIntervalSeconds) {}

    record GetScheduledRuns(String workerName, List<String> workQueueNames, Integer limit, Integer waitSeconds) {}

    record Deploy(String name, String flowName, String entrypoint, String workPoolName, String workQueueName,
                  ObjectNode parameters, ObjectNode parameterOpenapiSchema, Boolean enforceParameterSchema,
                  ObjectNode jobVariables, List<String> tags, Integer concurrencyLimit,
                  CollisionStrategy collisionStrategy, Boolean paused, List<JsonNode> pullSteps, String version,
                  String description, Integer retries, Integer retryDelaySeconds, List<JsonNode> schedules,
                  String overlap, List<ObjectNode> triggers) {}

    record Pause(String note, Instant resumeAt) {}

    record Backfill(Instant start, Instant end, Boolean dryRun) {}

    record CreateRun(ObjectNode parameters, ObjectNode jobVariables, String idempotencyKey, Instant scheduledStartTime,
                     List<String> tags, String name) {}

    record NewState(StateType type, String name, String message) {}

    record SetState(NewState state, String transitionId, String infrastructureId) {}

    record Log(Instant timestamp, String stream, String message) {}

    record Logs(List<Log> logs) {}

    record CreateApiKey(String name, Role role, List<String> pools) {}

    record CreateAutomation(String name, String description, Boolean enabled, ObjectNode trigger, List<ObjectNode> actions) {}

    record CreateWebhook(String name, ObjectNode template, ObjectNode verify, Boolean enabled) {}

    record Rotate(Long graceSeconds, String secret) {}

    record WebhookSample(String method, java.util.Map<String, String> headers, java.util.Map<String, String> query, String body) {}
}
