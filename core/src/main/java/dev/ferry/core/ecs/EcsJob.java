package dev.ferry.core.ecs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.ShellWords;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An {@code ecs} pool's rendered job configuration, checked. Every problem is a {@link BadInput}
 * naming the job variable, which the dispatcher turns into the run's FAILED message.
 *
 * @param attempts the primary placement first, then each {@code capacity_fallback} entry: tried
 *                 in order while ECS reports no capacity
 */
public record EcsJob(String cluster, List<Placement> attempts, String image, int cpu, int memory,
                     String taskDefinitionArn, String family, String containerName, List<String> command,
                     Map<String, String> env, List<String> subnets, List<String> securityGroups,
                     boolean assignPublicIp, String taskRoleArn, String executionRoleArn, Logs logs,
                     Map<String, String> tags, Integer timeoutSeconds) {

    /** Where a task is placed: a launch type, or a capacity provider strategy (ECS takes one of the two). */
    public record Placement(String launchType, List<CapacityItem> strategy) {
        public String describe() {
            if (launchType != null) return launchType;
            return strategy.stream().map(CapacityItem::capacityProvider).toList().toString();
        }

        public boolean fargate() {
            if (launchType != null) return !"EC2".equals(launchType);
            return strategy.stream().allMatch(i -> i.capacityProvider().startsWith("FARGATE"));
        }
    }

    /** CloudWatch logging of the container ({@code awslogs} driver). */
    public record Logs(String group, String streamPrefix, boolean create) {}

    private static final Pattern FAMILY = Pattern.compile("[A-Za-z0-9_-]{1,255}");
    private static final Pattern CONTAINER = Pattern.compile("[A-Za-z0-9_-]{1,255}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    public static EcsJob parse(ObjectNode config) {
        String cluster = text(config, "cluster");
        List<Placement> attempts = new ArrayList<>();
        attempts.add(primary(config));
        JsonNode fallback = config.path("capacity_fallback");
        if (!fallback.isNull() && !fallback.isMissingNode()) {
            if (!fallback.isArray()) throw bad("capacity_fallback", "must be a list of capacity provider strategies");
            for (int i = 0; i < fallback.size(); i++) {
                attempts.add(new Placement(null, strategy("capacity_fallback[" + i + "]", fallback.get(i))));
            }
        }
        String taskDefinitionArn = text(config, "task_definition_arn");
        String image = text(config, "image");
        if (taskDefinitionArn == null && image == null) {
            throw bad("image", "is required (the container image with Ferry and the flow's code), unless "
                    + "'task_definition_arn' names a task definition to use as is");
        }
        int cpu = integer(config, "cpu", 1024);
        int memory = integer(config, "memory", 2048);
        String family = text(config, "family");
        if (family != null && !FAMILY.matcher(family).matches()) {
            throw bad("family", "must be 1 to 255 letters, digits, '-' or '_' (got '" + family + "')");
        }
        String container = text(config, "container_name");
        if (container == null) container = "flow";
        if (!CONTAINER.matcher(container).matches()) {
            throw bad("container_name", "must be 1 to 255 letters, digits, '-' or '_' (got '" + container + "')");
        }
        String commandText = text(config, "command");
        List<String> command = null;
        if (commandText != null) {
            try {
                command = ShellWords.split(commandText);
            } catch (IllegalArgumentException e) {
                throw bad("command", e.getMessage());
            }
            if (command.isEmpty()) command = null;
        }
        Map<String, String> env = stringMap(config, "env", true);
        env.keySet().forEach(name -> {
            if (!ENV_NAME.matcher(name).matches()) throw bad("env." + name, "is not a valid environment variable name");
            if (name.startsWith("FERRY_")) {
                throw bad("env." + name, "is set by Ferry for the run (FERRY_* variables are reserved)");
            }
        });
        List<String> subnets = strings(config, "subnets");
        List<String> groups = strings(config, "security_groups");
        boolean fargate = attempts.stream().anyMatch(Placement::fargate);
        if (fargate && subnets.isEmpty()) {
            throw bad("subnets", "is empty; Fargate tasks (awsvpc networking) need at least one subnet");
        }
        boolean publicIp = config.path("assign_public_ip").asBoolean(false);
        String executionRole = text(config, "execution_role_arn");
        Logs logs = logs(config.path("cloudwatch_logs"), family);
        if (logs != null && executionRole == null && taskDefinitionArn == null && fargate) {
            throw bad("execution_role_arn", "is required with 'cloudwatch_logs' on Fargate (the awslogs driver "
                    + "writes with the execution role)");
        }
        Map<String, String> tags = stringMap(config, "tags", false);
        Integer timeout = config.path("timeout_seconds").isIntegralNumber() ? config.path("timeout_seconds").intValue() : null;
        if (timeout != null && timeout < 1) throw bad("timeout_seconds", "must be at least 1 (got " + timeout + ")");
        return new EcsJob(cluster, List.copyOf(attempts), image, cpu, memory, taskDefinitionArn, family, container,
                command, env, subnets, groups, publicIp, text(config, "task_role_arn"), executionRole, logs, tags, timeout);
    }

    private static Placement primary(ObjectNode config) {
        JsonNode strategy = config.path("capacity_provider_strategy");
        if (strategy.isArray() && !strategy.isEmpty()) {
            return new Placement(null, strategy("capacity_provider_strategy", strategy));
        }
        String launchType = text(config, "launch_type");
        if (launchType == null) launchType = "FARGATE";
        return switch (launchType) {
            case "FARGATE", "EC2" -> new Placement(launchType, List.of());
            // FARGATE_SPOT is a capacity provider, not an ECS launch type.
            case "FARGATE_SPOT" -> new Placement(null, List.of(new CapacityItem("FARGATE_SPOT", 1, 0)));
            default -> throw bad("launch_type", "must be FARGATE, FARGATE_SPOT or EC2 (got '" + launchType + "')");
        };
    }

    private static List<CapacityItem> strategy(String field, JsonNode node) {
        if (!node.isArray() || node.isEmpty()) {
            throw bad(field, "must be a non-empty list of {\"capacity_provider\": ..., \"weight\": ..., \"base\": ...}");
        }
        List<CapacityItem> items = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            String provider = item.path("capacity_provider").isTextual() ? item.path("capacity_provider").asText() : null;
            if (provider == null || provider.isBlank()) throw bad(field + "[" + i + "].capacity_provider", "is required");
            int weight = item.path("weight").asInt(1);
            int base = item.path("base").asInt(0);
            if (weight < 0 || weight > 1000) throw bad(field + "[" + i + "].weight", "must be 0 to 1000");
            if (base < 0 || base > 100000) throw bad(field + "[" + i + "].base", "must be 0 to 100000");
            items.add(new CapacityItem(provider, weight, base));
        }
        return List.copyOf(items);
    }

    private static Logs logs(JsonNode node, String family) {
        if (node.isNull() || node.isMissingNode()) return null;
        if (!node.isObject()) throw bad("cloudwatch_logs", "must be an object {\"group\", \"stream_prefix\", \"create\"}");
        String group = node.path("group").isTextual() ? node.path("group").asText() : null;
        if (group == null || group.isBlank()) throw bad("cloudwatch_logs.group", "is required");
        String prefix = node.path("stream_prefix").isTextual() ? node.path("stream_prefix").asText() : "ferry";
        if (prefix.isBlank() || prefix.contains(":") || prefix.contains("*")) {
            throw bad("cloudwatch_logs.stream_prefix", "must be non-empty without ':' or '*' (got '" + prefix + "')");
        }
        return new Logs(group, prefix, node.path("create").asBoolean(false));
    }

    private static String text(ObjectNode config, String field) {
        JsonNode value = config.path(field);
        if (value.isNull() || value.isMissingNode()) return null;
        if (!value.isTextual()) throw bad(field, "must be a string");
        String text = value.asText().strip();
        return text.isEmpty() ? null : text;
    }

    private static int integer(ObjectNode config, String field, int fallback) {
        JsonNode value = config.path(field);
        if (value.isNull() || value.isMissingNode()) return fallback;
        if (value.isIntegralNumber()) return value.intValue();
        if (value.isTextual()) {
            try {
                return Integer.parseInt(value.asText().strip());
            } catch (NumberFormatException e) {
                throw bad(field, "must be an integer (got '" + value.asText() + "')");
            }
        }
        throw bad(field, "must be an integer");
    }

    private static List<String> strings(ObjectNode config, String field) {
        JsonNode value = config.path(field);
        if (value.isNull() || value.isMissingNode()) return List.of();
        if (!value.isArray()) throw bad(field, "must be a list of strings");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            if (!value.get(i).isTextual() || value.get(i).asText().isBlank()) {
                throw bad(field + "[" + i + "]", "must be a non-empty string");
            }
            out.add(value.get(i).asText().strip());
        }
        return List.copyOf(out);
    }

    private static Map<String, String> stringMap(ObjectNode config, String field, boolean nullsDropped) {
        JsonNode value = config.path(field);
        Map<String, String> out = new LinkedHashMap<>();
        if (value.isNull() || value.isMissingNode()) return out;
        if (!value.isObject()) throw bad(field, "must be an object of strings");
        value.fields().forEachRemaining(e -> {
            if (e.getValue().isNull() && nullsDropped) return;
            if (!e.getValue().isTextual()) throw bad(field + "." + e.getKey(), "must be a string");
            out.put(e.getKey(), e.getValue().asText());
        });
        return out;
    }

    private static BadInput bad(String variable, String detail) {
        return BadInput.invalid("job_variables." + variable, "job variable '" + variable + "' " + detail);
    }
}
