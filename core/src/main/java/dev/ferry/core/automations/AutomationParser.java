package dev.ferry.core.automations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Json;
import dev.ferry.core.runs.StateType;
import dev.ferry.core.templates.JsonTemplate;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads triggers and actions in Prefect's shape (names and fields as Prefect's automations have
 * them), refusing what is wrong with the field's path: {@code trigger.triggers[1].within}.
 */
public final class AutomationParser {
    public static final int MAX_THRESHOLD = 10_000;
    public static final Duration MAX_WITHIN = Duration.ofDays(30);
    public static final int MAX_CHILDREN = 20;
    public static final int MAX_DEPTH = 3;
    public static final int MAX_ACTIONS = 20;
    public static final Duration MAX_SCHEDULE_AFTER = Duration.ofDays(365);
    public static final int MAX_WEBHOOK_TIMEOUT_SECONDS = 30;

    private static final Set<String> EVENT_FIELDS = Set.of("type", "match", "match_related", "after", "expect", "for_each",
            "posture", "threshold", "within");
    private static final Set<String> COMPOUND_FIELDS = Set.of("type", "triggers", "require", "within");
    private static final Set<String> SEQUENCE_FIELDS = Set.of("type", "triggers", "within");

    private AutomationParser() {}

    public static Trigger trigger(String at, JsonNode node) {
        return trigger(at, node, 1);
    }

    private static Trigger trigger(String at, JsonNode node, int depth) {
        if (node == null || !node.isObject()) throw BadInput.invalid(at, "'" + at + "' must be an object with a 'type'");
        String type = node.path("type").asText("event");
        return switch (type) {
            case "event" -> event(at, node);
            case "compound" -> {
                Fields f = Fields.of(at, node, COMPOUND_FIELDS);
                List<Trigger> children = children(f, depth);
                JsonNode require = f.node("require");
                int required;
                if (require == null || require.isNull() || "all".equals(require.asText(null))) required = children.size();
                else if ("any".equals(require.asText(null))) required = 1;
                else if (require.isIntegralNumber() && require.asInt() >= 1 && require.asInt() <= children.size()) required = require.asInt();
                else throw BadInput.invalid(f.path("require"), "'" + f.path("require") + "' must be \"any\", \"all\" or a number "
                            + "from 1 to " + children.size());
                yield new Trigger.Compound(children, required, within(f));
            }
            case "sequence" -> {
                Fields f = Fields.of(at, node, SEQUENCE_FIELDS);
                yield new Trigger.Sequence(children(f, depth), within(f));
            }
            default -> throw BadInput.invalid(Fields.path(at, "type"), "'" + Fields.path(at, "type")
                    + "' must be event, compound or sequence (got '" + type + "')");
        };
    }

    private static List<Trigger> children(Fields f, int depth) {
        if (depth >= MAX_DEPTH) throw BadInput.invalid(f.path("triggers"), "triggers nest at most " + MAX_DEPTH + " deep");
        JsonNode list = f.node("triggers");
        if (list == null || !list.isArray() || list.isEmpty() || list.size() > MAX_CHILDREN) {
            throw BadInput.invalid(f.path("triggers"), "'" + f.path("triggers") + "' must list 1 to " + MAX_CHILDREN + " triggers");
        }
        List<Trigger> children = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) children.add(trigger(f.path("triggers") + "[" + i + "]", list.get(i), depth + 1));
        return children;
    }

    private static Trigger.Event event(String at, JsonNode node) {
        Fields f = Fields.of(at, node, EVENT_FIELDS);
        ResourceSpec match = spec(f.path("match"), f.node("match"));
        List<ResourceSpec> related = new ArrayList<>();
        JsonNode mr = f.node("match_related");
        if (mr != null && mr.isArray()) {
            for (int i = 0; i < mr.size(); i++) related.add(spec(f.path("match_related") + "[" + i + "]", mr.get(i)));
        } else if (mr != null && !mr.isNull()) {
            related.add(spec(f.path("match_related"), mr));
        }
        List<String> expect = f.patterns("expect");
        List<String> after = f.patterns("after");
        String postureText = f.text("posture", "Reactive");
        Posture posture;
        try {
            posture = Posture.valueOf(postureText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw BadInput.invalid(f.path("posture"), "'" + f.path("posture") + "' must be Reactive or Proactive (got '"
                    + postureText + "')");
        }
        int threshold = (int) f.integer("threshold", 1, 1, MAX_THRESHOLD);
        Duration within = within(f);
        if (posture == Posture.PROACTIVE && within.isZero()) {
            throw BadInput.invalid(f.path("within"), "a proactive trigger needs 'within': how long to wait for the expected events");
        }
        if (expect.isEmpty() && after.isEmpty()) {
            throw BadInput.invalid(f.path("expect"), "'" + f.path("expect") + "' names the events to count, like \"ferry.flow-run.Completed\"");
        }
        return new Trigger.Event(match, related, after, expect, f.patterns("for_each"), posture, threshold, within);
    }

    private static Duration within(Fields f) {
        return Duration.ofSeconds(f.integer("within", 0, 0, MAX_WITHIN.toSeconds()));
    }

    private static ResourceSpec spec(String at, JsonNode node) {
        if (node == null || node.isNull()) return ResourceSpec.ANY;
        if (!node.isObject()) throw BadInput.malformed(at, "'" + at + "' must be an object of label patterns");
        Map<String, List<String>> labels = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> label = it.next();
            labels.put(label.getKey(), Fields.patterns(at + "." + label.getKey(), label.getValue()));
        }
        return new ResourceSpec(labels);
    }

    // --- actions ---

    public static List<Action> actions(String at, List<? extends JsonNode> nodes) {
        if (nodes == null || nodes.isEmpty() || nodes.size() > MAX_ACTIONS) {
            throw BadInput.invalid(at, "'" + at + "' must list 1 to " + MAX_ACTIONS + " actions");
        }
        List<Action> actions = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) actions.add(action(at + "[" + i + "]", nodes.get(i)));
        return actions;
    }

    public static Action action(String at, JsonNode node) {
        if (node == null || !node.isObject() || !node.path("type").isTextual()) {
            throw BadInput.invalid(at, "'" + at + "' must be an object with a 'type', like {\"type\": \"run-deployment\", ...}");
        }
        String type = node.get("type").asText();
        return switch (type) {
            case "run-deployment" -> {
                Fields f = Fields.of(at, node, Set.of("type", "source", "deployment_id", "deployment_name", "parameters",
                        "job_variables", "schedule_after"));
                yield new Action.RunDeployment(deployment(f), template(f, "parameters"), template(f, "job_variables"),
                        Duration.ofSeconds(f.integer("schedule_after", 0, 0, MAX_SCHEDULE_AFTER.toSeconds())));
            }
            case "pause-deployment", "resume-deployment" -> {
                Fields f = Fields.of(at, node, Set.of("type", "source", "deployment_id", "deployment_name"));
                yield new Action.PauseDeployment(type.startsWith("pause"), deployment(f));
            }
            case "pause-work-pool", "resume-work-pool" -> {
                Fields f = Fields.of(at, node, Set.of("type", "source", "work_pool_name"));
                yield new Action.PauseWorkPool(type.startsWith("pause"), target(f, "work_pool_name"));
            }
            case "pause-work-queue", "resume-work-queue" -> {
                Fields f = Fields.of(at, node, Set.of("type", "source", "work_pool_name", "work_queue_name"));
                String pool = target(f, "work_pool_name");
                String queue = pool == null ? null : f.required("work_queue_name");
                yield new Action.PauseWorkQueue(type.startsWith("pause"), pool, queue);
            }
            case "cancel-flow-run" -> {
                Fields.of(at, node, Set.of("type", "source"));
                yield new Action.CancelFlowRun();
            }
            case "change-flow-run-state" -> {
                Fields f = Fields.of(at, node, Set.of("type", "source", "state", "name", "message"));
                String state = f.required("state");
                StateType stateType;
                try {
                    stateType = StateType.valueOf(state.toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw BadInput.invalid(f.path("state"), "'" + f.path("state") + "' is not a state type (got '" + state + "')");
                }
                yield new Action.ChangeFlowRunState(stateType, f.text("name", null), f.text("message", null));
            }
            case "pause-automation", "resume-automation" -> {
                Fields f = Fields.of(at, node, Set.of("type", "source", "automation_id"));
                yield new Action.PauseAutomation(type.startsWith("pause"), target(f, "automation_id"));
            }
            case "call-webhook" -> webhook(at, node);
            default -> throw BadInput.invalid(Fields.path(at, "type"), "'" + Fields.path(at, "type") + "' is not an action "
                    + "(got '" + type + "'); actions: run-deployment, pause-deployment, resume-deployment, pause-work-pool, "
                    + "resume-work-pool, pause-work-queue, resume-work-queue, cancel-flow-run, change-flow-run-state, "
                    + "pause-automation, resume-automation, call-webhook");
        };
    }

    private static Action.CallWebhook webhook(String at, JsonNode node) {
        Fields f = Fields.of(at, node, Set.of("type", "url", "method", "headers", "body", "timeout_seconds"));
        String url = f.required("url");
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw BadInput.invalid(f.path("url"), "'" + f.path("url") + "' is not a URL: " + e.getReason());
        }
        if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null) {
            throw BadInput.invalid(f.path("url"), "'" + f.path("url") + "' must be an https:// URL (got '" + url + "')");
        }
        if (uri.getUserInfo() != null) {
            throw BadInput.invalid(f.path("url"), "'" + f.path("url") + "' must not carry credentials; put them in 'headers'");
        }
        String method = f.text("method", "POST").toUpperCase(Locale.ROOT);
        if (!Set.of("GET", "POST", "PUT", "PATCH", "DELETE").contains(method)) {
            throw BadInput.invalid(f.path("method"), "'" + f.path("method") + "' must be GET, POST, PUT, PATCH or DELETE");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        JsonNode h = f.node("headers");
        if (h != null && !h.isNull()) {
            if (!h.isObject()) throw BadInput.malformed(f.path("headers"), "'" + f.path("headers") + "' must be an object of strings");
            for (Iterator<Map.Entry<String, JsonNode>> it = h.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String field = f.path("headers") + "." + e.getKey();
                if (!e.getValue().isTextual()) throw BadInput.malformed(field, "'" + field + "' must be a string");
                if (!e.getKey().matches("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}") || e.getValue().asText().chars().anyMatch(c -> c < 0x20 && c != '\t')) {
                    throw BadInput.invalid(field, "'" + field + "' is not a valid HTTP header");
                }
                headers.put(e.getKey(), e.getValue().asText());
            }
        }
        JsonNode body = f.node("body");
        JsonTemplate template = body == null || body.isNull() ? null : JsonTemplate.compile(f.path("body"), body);
        int timeout = (int) f.integer("timeout_seconds", 10, 1, MAX_WEBHOOK_TIMEOUT_SECONDS);
        return new Action.CallWebhook(uri, method, headers, template, Duration.ofSeconds(timeout));
    }

    /** {@code deployment_id}, or {@code deployment_name} as {@code flow/name}; null when inferred from the event. */
    private static Action.DeploymentTarget deployment(Fields f) {
        if (f.has("deployment_id") && f.has("deployment_name")) {
            throw BadInput.invalid(f.path("deployment_name"), "name the deployment by 'deployment_id' or by 'deployment_name', not both");
        }
        if (!f.has("deployment_name")) {
            String id = target(f, "deployment_id");
            return id == null ? null : Action.DeploymentTarget.ofId(id);
        }
        String ref = target(f, "deployment_name");
        int slash = ref.indexOf('/');
        if (slash <= 0 || slash == ref.length() - 1 || ref.indexOf('/', slash + 1) >= 0) {
            throw BadInput.invalid(f.path("deployment_name"), "'" + f.path("deployment_name") + "' is flow/name, like my-flow/my-deployment "
                    + "(got '" + ref + "')");
        }
        return new Action.DeploymentTarget(null, ref.substring(0, slash), ref.substring(slash + 1));
    }

    /** The target an action names ({@code source: selected}), or null when it is read from the event ({@code inferred}). */
    private static String target(Fields f, String field) {
        String source = f.text("source", f.has(field) ? "selected" : "inferred");
        switch (source) {
            case "selected" -> {
                return f.required(field);
            }
            case "inferred" -> {
                if (f.has(field)) {
                    throw BadInput.invalid(f.path(field), "'" + f.path(field) + "' is read from the event when 'source' is "
                            + "inferred; leave it out, or say source: selected");
                }
                return null;
            }
            default -> throw BadInput.invalid(f.path("source"), "'" + f.path("source") + "' must be selected or inferred");
        }
    }

    private static JsonTemplate template(Fields f, String name) {
        JsonNode v = f.node(name);
        if (v == null || v.isNull()) return null;
        if (!v.isObject()) throw BadInput.malformed(f.path(name), "'" + f.path(name) + "' must be an object");
        return JsonTemplate.compile(f.path(name), v);
    }

    /** A copy of {@code node} as the store keeps it. */
    static ObjectNode copy(JsonNode node) {
        return (ObjectNode) Json.MAPPER.valueToTree(node);
    }
}
