package dev.ferry.core.automations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Json;
import dev.ferry.core.deployments.Deployment;
import dev.ferry.core.deployments.DeploymentService;
import dev.ferry.core.events.Event;
import dev.ferry.core.events.Resource;
import dev.ferry.core.pools.PoolService;
import dev.ferry.core.runs.FlowRun;
import dev.ferry.core.runs.FlowRunService;
import dev.ferry.core.runs.TransitionRefused;
import dev.ferry.core.templates.JsonTemplate;
import dev.ferry.core.templates.TemplateFailure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Carries out one action of a firing. Every action is safe to carry out again (the janitor does,
 * for a firing whose engine died mid-way): a run is created under a key derived from the firing,
 * a state is set under a transition id derived from it, pauses and resumes are idempotent by
 * nature, and a webhook call carries the firing's key as {@code Idempotency-Key}. What the caller
 * must fix (a template that can't render, a deployment that is gone) fails the action with the
 * reason; what may pass (the store throttling) is thrown, and the firing is tried again later.
 */
final class ActionRunner {
    private final DeploymentService deployments;
    private final FlowRunService runs;
    private final PoolService pools;
    private final BiConsumer<String, Boolean> setAutomationEnabled;
    private final WebhookCalls webhooks;
    private final Clock clock;

    ActionRunner(DeploymentService deployments, FlowRunService runs, PoolService pools,
                 BiConsumer<String, Boolean> setAutomationEnabled, WebhookCalls webhooks, Clock clock) {
        this.deployments = deployments;
        this.runs = runs;
        this.pools = pools;
        this.setAutomationEnabled = setAutomationEnabled;
        this.webhooks = webhooks;
        this.clock = clock;
    }

    /**
     * What templates see, read once per firing and only if an action renders a template: most
     * actions have none, and those that do see the run and deployment as the firing found them.
     */
    Supplier<ObjectNode> contextOf(Automation automation, Firing firing) {
        return new Supplier<>() {
            private ObjectNode context;

            @Override
            public ObjectNode get() {
                if (context == null) context = context(automation, firing, event(firing));
                return context;
            }
        };
    }

    Firing.Outcome run(Automation automation, Firing firing, int index, Action action, Supplier<ObjectNode> context)
            throws InterruptedException {
        Event event = event(firing);
        String key = "automation:" + firing.key() + ":" + index;
        try {
            if (action instanceof Action.RunDeployment a) {
                Deployment deployment = deployment(a.deployment(), event);
                ObjectNode parameters = object("parameters", a.parameters(), context);
                ObjectNode jobVariables = object("job_variables", a.jobVariables(), context);
                FlowRun run = runs.create(deployment, new FlowRunService.NewRun(parameters, jobVariables, key,
                        a.scheduleAfter().isZero() ? null : clock.now().plus(a.scheduleAfter()), null, null)).run();
                return ok(action, "created flow run " + run.name() + " of " + deployment.flowName() + "/" + deployment.name(), run.id());
            }
            if (action instanceof Action.PauseDeployment a) {
                String id = deployment(a.deployment(), event).id();
                Deployment d = a.pause() ? deployments.pause(id, "paused by automation '" + automation.name() + "'",
                        "automation:" + automation.name(), null) : deployments.resume(id);
                return ok(action, (a.pause() ? "paused " : "resumed ") + d.flowName() + "/" + d.name(), null);
            }
            if (action instanceof Action.PauseWorkPool a) {
                String pool = a.workPoolName() != null ? a.workPoolName() : inferredName(event, "work-pool");
                pools.update(pool, new PoolService.PoolChange(null, false, null, false, a.pause(), null));
                return ok(action, (a.pause() ? "paused" : "resumed") + " work pool " + pool, null);
            }
            if (action instanceof Action.PauseWorkQueue a) {
                String pool = a.workPoolName() != null ? a.workPoolName() : inferredName(event, "work-pool");
                String queue = a.workQueueName() != null ? a.workQueueName() : inferredName(event, "work-queue");
                pools.updateQueue(pool, queue, new PoolService.QueueChange(null, false, null, null, false, a.pause()));
                return ok(action, (a.pause() ? "paused" : "resumed") + " work queue " + pool + "/" + queue, null);
            }
            if (action instanceof Action.CancelFlowRun) {
                String id = inferred(event, "flow-run", "flow-run");
                FlowRun run = runs.cancel(id);
                return ok(action, "flow run " + run.name() + " is " + run.state().name(), id);
            }
            if (action instanceof Action.ChangeFlowRunState a) {
                String id = inferred(event, "flow-run", "flow-run");
                FlowRun run = runs.setState(id, a.state(), a.name(), a.message(), key, null);
                return ok(action, "flow run " + run.name() + " is " + run.state().name(), id);
            }
            if (action instanceof Action.PauseAutomation a) {
                String id = a.automationId() != null ? a.automationId() : automation.id();
                setAutomationEnabled.accept(id, !a.pause());
                return ok(action, (a.pause() ? "paused" : "resumed") + " automation " + id, null);
            }
            Action.CallWebhook a = (Action.CallWebhook) action;
            byte[] body = null;
            Map<String, String> headers = new LinkedHashMap<>(a.headers());
            if (a.body() != null) {
                JsonNode rendered = a.body().render(context.get());
                body = rendered.isTextual() ? rendered.asText().getBytes(StandardCharsets.UTF_8) : Json.bytes(rendered);
                headers.putIfAbsent("Content-Type", rendered.isTextual() ? "text/plain; charset=utf-8" : "application/json");
            }
            headers.put("Idempotency-Key", key);
            int status = webhooks.call(a.url(), a.method(), headers, body, a.timeout());
            String detail = a.method() + " " + a.url().getHost() + " answered " + status;
            return status >= 200 && status < 300 ? ok(action, detail, null) : failed(action, detail);
        } catch (TemplateFailure e) {
            return failed(action, "a template could not render: " + e.getMessage());
        } catch (BadInput e) {
            return failed(action, e.getMessage());
        } catch (TransitionRefused e) {
            return failed(action, e.getMessage());
        } catch (IOException | IllegalArgumentException e) {
            return failed(action, "the call failed: " + e.getMessage());
        }
    }

    /** What templates see: the event, the automation, the firing, and the run and deployment the event is about. */
    ObjectNode context(Automation automation, Firing firing, Event event) {
        ObjectNode context = Json.MAPPER.createObjectNode();
        context.set("event", event == null ? Json.MAPPER.nullNode() : Json.MAPPER.valueToTree(event));
        context.putObject("automation").put("id", automation.id()).put("name", automation.name());
        ObjectNode f = context.putObject("firing").put("id", firing.key()).put("at", firing.at().toString())
                .put("count", firing.count()).put("threshold", firing.threshold());
        if (firing.windowStart() != null) f.put("window_start", firing.windowStart().toString());
        if (firing.windowEnd() != null) f.put("window_end", firing.windowEnd().toString());
        if (event != null) {
            String runId = find(event, "flow-run", "flow-run");
            if (runId != null) {
                try {
                    context.set("flow_run", Json.MAPPER.valueToTree(runs.get(runId)));
                } catch (BadInput gone) {
                    // the run was deleted: templates that use it fail, the others render
                }
            }
            String deploymentId = find(event, "deployment", "deployment");
            if (deploymentId != null) {
                try {
                    context.set("deployment", Json.MAPPER.valueToTree(deployments.get(deploymentId)));
                } catch (BadInput gone) {
                    // as above
                }
            }
        }
        return context;
    }

    private Deployment deployment(Action.DeploymentTarget target, Event event) {
        if (target == null) return deployments.get(inferred(event, "deployment", "deployment"));
        return target.id() != null ? deployments.get(target.id()) : deployments.get(target.flowName(), target.name());
    }

    private static Event event(Firing firing) {
        return firing.event() == null ? null : Json.MAPPER.convertValue(firing.event(), Event.class);
    }

    private static ObjectNode object(String field, JsonTemplate template, Supplier<ObjectNode> context) throws TemplateFailure {
        if (template == null) return null;
        JsonNode rendered = template.render(context.get());
        if (!rendered.isObject()) throw BadInput.invalid(field, "'" + field + "' rendered to " + rendered.getNodeType() + ", not an object");
        return (ObjectNode) rendered;
    }

    /** The id of the resource the event is about in {@code kind} (ferry.{kind}.{id}), itself or related in {@code role}. */
    private static String inferred(Event event, String kind, String role) {
        String id = event == null ? null : find(event, kind, role);
        if (id == null) {
            throw BadInput.invalid("source", "the event is about no " + kind + " to infer (its resource and related resources name none)");
        }
        return id;
    }

    static String find(Event event, String kind, String role) {
        String prefix = "ferry." + kind + ".";
        if (event.resource().id().startsWith(prefix)) return event.resource().id().substring(prefix.length());
        for (Resource r : event.related(role)) {
            if (r.id().startsWith(prefix)) return r.id().substring(prefix.length());
        }
        return null;
    }

    /** Pools and queues are addressed by name: the related resource's {@code ferry.resource.name}. */
    private static String inferredName(Event event, String role) {
        if (event != null) {
            if (event.resource().id().startsWith("ferry." + role + ".") && event.resource().name() != null) return event.resource().name();
            List<Resource> related = event.related(role);
            if (!related.isEmpty() && related.get(0).name() != null) return related.get(0).name();
        }
        throw BadInput.invalid("source", "the event is about no " + role + " to infer (its resource and related resources name none)");
    }

    private static Firing.Outcome ok(Action action, String detail, String runId) {
        return new Firing.Outcome(action.type(), "ok", detail, runId);
    }

    private static Firing.Outcome failed(Action action, String detail) {
        return new Firing.Outcome(action.type(), "failed", detail, null);
    }
}
