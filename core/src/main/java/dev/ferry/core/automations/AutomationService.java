package dev.ferry.core.automations;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Contention;
import dev.ferry.core.common.Documents;
import dev.ferry.core.common.Ids;
import dev.ferry.core.common.Json;
import dev.ferry.core.common.NameCursors;
import dev.ferry.core.common.Names;
import dev.ferry.core.common.Page;
import dev.ferry.core.common.Revisions;
import dev.ferry.core.deployments.Deployment;
import dev.ferry.core.deployments.DeploymentService;
import dev.ferry.core.triggers.TriggerStore;
import dev.ferry.core.triggers.TriggerStore.Change;
import dev.ferry.core.triggers.TriggerStore.Entry;
import dev.ferry.core.triggers.TriggerStore.Key;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Automations: created, listed, changed, paused and resumed, deleted, inspected. An automation
 * lives under its name (unique) with a pointer under its id, both written in one commit; every
 * change is written at the revision it read.
 */
public final class AutomationService {
    public static final int MAX_DESCRIPTION = 2000;
    static final String AUTOMATIONS = "automations";
    static final String IDS = "automation-ids";

    private final TriggerStore store;
    private final DeploymentService deployments;
    private final Clock clock;
    private final Ids ids;
    private volatile Runnable changed = () -> {};

    public AutomationService(TriggerStore store, DeploymentService deployments, Clock clock, Ids ids) {
        this.store = store;
        this.deployments = deployments;
        this.clock = clock;
        this.ids = ids;
    }

    /** Called after every stored change (the engine drops its cached set of enabled automations). */
    void onChange(Runnable listener) {
        this.changed = listener;
    }

    public record NewAutomation(String name, String description, Boolean enabled, ObjectNode trigger, List<ObjectNode> actions) {}

    public record Change(String description, boolean setDescription, Boolean enabled, ObjectNode trigger, List<ObjectNode> actions) {}

    /** What "why (not)" shows: the latest evaluations, the open windows and the recent firings. */
    public record Inspection(Automation automation, List<Evaluation> evaluations, List<Bucket> windows, List<Firing> firings) {}

    public Automation create(NewAutomation request) {
        return create(request, null);
    }

    /** @param deploymentId the deployment whose ferry.yaml triggers own it, or null */
    public Automation create(NewAutomation request, String deploymentId) {
        String name = Names.check("name", request.name());
        Compiled compiled = check(request.trigger(), request.actions());
        Instant now = clock.now();
        Automation automation = new Automation(ids.next(), name, description(request.description()),
                request.enabled() == null || request.enabled(), null, AutomationParser.copy(request.trigger()),
                request.actions().stream().map(AutomationParser::copy).toList(), deploymentId, now, now, 1);
        List<TriggerStore.Change> changes = new ArrayList<>();
        changes.add(TriggerStore.Change.create(new Key(AUTOMATIONS, name), Documents.write(automation), null, null));
        changes.add(TriggerStore.Change.create(new Key(IDS, automation.id()), Json.MAPPER.createObjectNode().put("name", name)
                .toString(), null, null));
        if (automation.enabled()) changes.addAll(Windows.opened(automation, compiled.trigger(), now));
        if (!store.commit(changes)) {
            throw BadInput.conflict("name", "an automation named '" + name + "' exists; pick another name or change that one");
        }
        changed.run();
        return automation;
    }

    public Automation get(String id) {
        return find(id).orElseThrow(() -> BadInput.notFound("automation", id));
    }

    public Automation byName(String name) {
        return store.get(new Key(AUTOMATIONS, name)).map(AutomationService::automation)
                .orElseThrow(() -> BadInput.notFound("automation", name));
    }

    Optional<Automation> find(String id) {
        Optional<Entry> pointer = store.get(new Key(IDS, id));
        if (pointer.isEmpty()) return Optional.empty();
        String name = Json.tree(pointer.get().doc()).path("name").asText();
        return store.get(new Key(AUTOMATIONS, name)).map(AutomationService::automation).filter(a -> a.id().equals(id));
    }

    /** By name; {@code cursor} is the previous page's {@code next}. */
    public Page<Automation> list(int limit, String cursor) {
        String after = cursor == null ? null : NameCursors.decode(AUTOMATIONS, cursor);
        List<Entry> entries = store.scan(AUTOMATIONS, after, false, limit + 1);
        List<Automation> items = entries.stream().limit(limit).map(AutomationService::automation).toList();
        String next = entries.size() > limit ? NameCursors.encode(AUTOMATIONS, items.get(limit - 1).name()) : null;
        return new Page<>(items, next);
    }

    /** Every automation, enabled or not: what the engine reads (once a second at most). */
    List<Automation> all() {
        List<Automation> all = new ArrayList<>();
        String after = null;
        while (true) {
            List<Entry> page = store.scan(AUTOMATIONS, after, false, 200);
            page.forEach(e -> all.add(automation(e)));
            if (page.size() < 200) return all;
            after = page.get(page.size() - 1).key().item();
        }
    }

    public Automation update(String id, Change change) {
        if (change.trigger() != null || change.actions() != null) {
            Automation current = get(id);
            check(change.trigger() != null ? change.trigger() : current.trigger(),
                    change.actions() != null ? change.actions() : current.actions());
        }
        String description = change.setDescription() ? description(change.description()) : null;
        return write(id, a -> new Automation(a.id(), a.name(), change.setDescription() ? description : a.description(),
                change.enabled() == null ? a.enabled() : change.enabled(),
                change.enabled() != null && change.enabled() ? null : a.pausedReason(),
                change.trigger() == null ? a.trigger() : AutomationParser.copy(change.trigger()),
                change.actions() == null ? a.actions() : change.actions().stream().map(AutomationParser::copy).toList(),
                a.deploymentId(), a.created(), clock.now(), a.revision()));
    }

    public Automation setEnabled(String id, boolean enabled) {
        return write(id, a -> a.enabled() == enabled ? a : a.enabled(enabled, clock.now()));
    }

    public void delete(String id) {
        for (int attempt = 0; attempt < Revisions.MAX_ATTEMPTS; attempt++) {
            Entry pointer = store.get(new Key(IDS, id)).orElseThrow(() -> BadInput.notFound("automation", id));
            String name = Json.tree(pointer.doc()).path("name").asText();
            Optional<Entry> entry = store.get(new Key(AUTOMATIONS, name));
            List<TriggerStore.Change> changes = new ArrayList<>();
            changes.add(TriggerStore.Change.delete(pointer));
            entry.ifPresent(e -> changes.add(TriggerStore.Change.delete(e)));
            if (store.commit(changes)) {
                // its windows go with it; its history, seen marks and firings expire
                for (Entry bucket : store.scan(Windows.group(id), null, false, 1000)) {
                    store.commit(List.of(TriggerStore.Change.delete(bucket)));
                }
                store.get(CircuitBreaker.key(id)).ifPresent(breaker -> store.commit(List.of(TriggerStore.Change.delete(breaker))));
                changed.run();
                return;
            }
        }
        throw new Contention("automation " + id + " kept changing while being deleted; try again");
    }

    public Inspection inspect(String id) {
        Automation automation = get(id);
        List<Evaluation> evaluations = new ArrayList<>(store.scan(AutomationEngine.historyGroup(id), null, false, 1000).stream()
                .map(e -> Documents.readStored(e.doc(), Evaluation.class)).toList());
        evaluations.sort(Comparator.comparing(Evaluation::at).reversed());
        List<Bucket> windows = store.scan(Windows.group(id), null, false, 100).stream()
                .map(e -> Documents.readStored(e.doc(), Bucket.class)).toList();
        List<Firing> firings = new ArrayList<>(store.scan(AutomationEngine.firingsGroup(id), null, false, 1000).stream()
                .map(e -> Documents.readStored(e.doc(), Firing.class)).toList());
        firings.sort(Comparator.comparing(Firing::at).reversed());
        return new Inspection(automation, evaluations, windows, firings.size() > 50 ? firings.subList(0, 50) : firings);
    }

    // --- a deployment's own triggers (ferry.yaml's triggers:) ---

    /** Prefect's deployment trigger fields: an event trigger's, the run's {@code parameters}, {@code job_variables}, {@code schedule_after}, and a name. */
    private static final java.util.Set<String> DEPLOYMENT_TRIGGER_FIELDS = java.util.Set.of("name", "type", "enabled", "match",
            "match_related", "after", "expect", "for_each", "posture", "threshold", "within", "parameters", "job_variables",
            "schedule_after", "description");

    /**
     * Deploys, with the deployment's triggers made what {@code triggers} says (null leaves them as
     * they are). The triggers are checked before anything is written, so a bad one refuses the
     * whole deploy instead of leaving it half done.
     */
    public DeploymentService.Upserted deploy(DeploymentService.Deploy deploy, List<ObjectNode> triggers) {
        if (triggers != null) {
            String existing = deployments.find(deploy.flowName(), deploy.name()).map(Deployment::id).orElse(null);
            checkDeploymentTriggers(deploy.flowName(), deploy.name(), existing, triggers);
        }
        DeploymentService.Upserted result = deployments.deploy(deploy);
        Deployment d = result.deployment();
        if (triggers != null) syncDeploymentTriggers(d.flowName(), d.name(), d.id(), triggers);
        return result;
    }

    /** Deletes a deployment, its schedules and the automations its triggers made. */
    public void deleteDeployment(String deploymentId) {
        deployments.delete(deploymentId);
        for (Automation a : all()) if (deploymentId.equals(a.deploymentId())) delete(a.id());
    }

    /** The automation a deployment trigger is: what {@link #syncDeploymentTriggers} stores, checked here first. */
    private record Desired(String name, NewAutomation automation) {}

    /**
     * Checks a deployment's triggers as {@code triggers[i]...}. Also refuses a trigger whose name
     * an automation not of this deployment has.
     */
    private void checkDeploymentTriggers(String flowName, String deploymentName, String deploymentId, List<ObjectNode> triggers) {
        List<Desired> desired = desired(flowName, deploymentName, deploymentId == null ? "(new)" : deploymentId, triggers);
        for (int i = 0; i < desired.size(); i++) {
            Desired d = desired.get(i);
            try {
                check(d.automation().trigger(), d.automation().actions(), false);
            } catch (BadInput e) {
                // the user wrote triggers[i].expect, not trigger.expect: name the field as written
                throw e.moved("trigger", "triggers[" + i + "]").moved("actions[0]", "triggers[" + i + "]");
            }
            Optional<Automation> other = store.get(new Key(AUTOMATIONS, d.name())).map(AutomationService::automation)
                    .filter(a -> a.deploymentId() == null || !a.deploymentId().equals(deploymentId));
            if (other.isPresent()) {
                throw BadInput.conflict("triggers[" + i + "].name", "an automation named '" + d.name() + "' exists and is not this "
                        + "deployment's; rename the trigger");
            }
        }
    }

    /**
     * Makes the deployment's automations what its triggers say: a trigger not changed is left as
     * it is (its history and windows go on), a changed one is updated, a new one created, and an
     * automation of the deployment whose trigger is gone from the list is deleted.
     */
    private void syncDeploymentTriggers(String flowName, String deploymentName, String deploymentId, List<ObjectNode> triggers) {
        List<Desired> desired = desired(flowName, deploymentName, deploymentId, triggers);
        List<Automation> owned = all().stream().filter(a -> deploymentId.equals(a.deploymentId())).toList();
        java.util.Set<String> kept = new java.util.HashSet<>();
        for (Desired d : desired) {
            kept.add(d.name());
            Optional<Automation> existing = owned.stream().filter(a -> a.name().equals(d.name())).findFirst();
            NewAutomation want = d.automation();
            if (existing.isEmpty()) {
                create(want, deploymentId);
                continue;
            }
            Automation a = existing.get();
            boolean enabled = want.enabled() == null || want.enabled();
            if (a.trigger().equals(want.trigger()) && a.actions().equals(want.actions()) && a.enabled() == enabled
                    && java.util.Objects.equals(a.description(), want.description())) {
                continue;
            }
            update(a.id(), new Change(want.description(), true, enabled, want.trigger(), want.actions()));
        }
        for (Automation a : owned) if (!kept.contains(a.name())) delete(a.id());
    }

    private static List<Desired> desired(String flowName, String deploymentName, String deploymentId, List<ObjectNode> triggers) {
        if (triggers.size() > AutomationParser.MAX_CHILDREN) {
            throw BadInput.invalid("triggers", "a deployment has at most " + AutomationParser.MAX_CHILDREN + " triggers");
        }
        List<Desired> out = new ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < triggers.size(); i++) {
            String at = "triggers[" + i + "]";
            ObjectNode t = triggers.get(i);
            if (t == null) throw BadInput.invalid(at, "'" + at + "' must be an object");
            for (java.util.Iterator<String> it = t.fieldNames(); it.hasNext(); ) {
                String field = it.next();
                if (!DEPLOYMENT_TRIGGER_FIELDS.contains(field)) {
                    throw BadInput.malformed(at + "." + field, "unknown field '" + at + "." + field + "'; accepted: "
                            + String.join(", ", new java.util.TreeSet<>(DEPLOYMENT_TRIGGER_FIELDS)));
                }
            }
            if (t.has("type") && !"event".equals(t.path("type").asText())) {
                throw BadInput.invalid(at + ".type", "a deployment's trigger is an event trigger (type: event)");
            }
            String own = t.hasNonNull("name") ? t.get("name").asText() : "trigger-" + (i + 1);
            Names.check(at + ".name", own);
            if (!names.add(own)) throw BadInput.invalid(at + ".name", "two triggers of this deployment are named '" + own + "'");
            String name = flowName + ":" + deploymentName + ":" + own;
            if (name.length() > Names.MAX_LENGTH) {
                throw BadInput.invalid(at + ".name", "'" + at + ".name' makes the automation name '" + name + "', longer than "
                        + Names.MAX_LENGTH + " characters; shorten it");
            }
            ObjectNode trigger = Json.MAPPER.createObjectNode().put("type", "event");
            for (String field : List.of("match", "match_related", "after", "expect", "for_each", "posture", "threshold", "within")) {
                if (t.has(field)) trigger.set(field, t.get(field));
            }
            ObjectNode action = Json.MAPPER.createObjectNode().put("type", "run-deployment").put("deployment_id", deploymentId);
            for (String field : List.of("parameters", "job_variables", "schedule_after")) if (t.has(field)) action.set(field, t.get(field));
            Boolean enabled = t.hasNonNull("enabled") ? t.get("enabled").asBoolean() : null;
            if (t.hasNonNull("enabled") && !t.get("enabled").isBoolean()) {
                throw BadInput.malformed(at + ".enabled", "'" + at + ".enabled' must be true or false");
            }
            String description = t.hasNonNull("description") ? t.get("description").asText()
                    : "trigger '" + own + "' of " + flowName + "/" + deploymentName + " (its ferry.yaml)";
            out.add(new Desired(name, new NewAutomation(name, description, enabled, trigger, List.of(action))));
        }
        return out;
    }

    /** A trigger and actions parsed, or the first thing wrong with them, named by its path. */
    record Compiled(Trigger trigger, List<Action> actions) {}

    private Compiled check(ObjectNode triggerNode, List<ObjectNode> actionNodes) {
        return check(triggerNode, actionNodes, true);
    }

    /** @param targets whether the deployments actions name must exist (not yet, for a deployment's own triggers before its first deploy) */
    private Compiled check(ObjectNode triggerNode, List<ObjectNode> actionNodes, boolean targets) {
        if (triggerNode == null) throw BadInput.invalid("trigger", "'trigger' is required, like {\"type\": \"event\", \"expect\": "
                + "[\"ferry.flow-run.Completed\"]}");
        Trigger trigger = AutomationParser.trigger("trigger", triggerNode);
        refuseTooManyWindows(trigger);
        List<Action> actions = AutomationParser.actions("actions", actionNodes);
        for (int i = 0; i < actions.size(); i++) {
            Action action = actions.get(i);
            Action.DeploymentTarget target = action instanceof Action.RunDeployment r ? r.deployment()
                    : action instanceof Action.PauseDeployment p ? p.deployment() : null;
            if (target != null && targets) {
                try {
                    if (target.id() != null) deployments.get(target.id());
                    else deployments.get(target.flowName(), target.name());
                } catch (BadInput e) {
                    String field = target.id() != null ? "deployment_id" : "deployment_name";
                    throw BadInput.invalid("actions[" + i + "]." + field, "no deployment " + (target.id() != null
                            ? "has id '" + target.id() + "'" : "is named '" + target.flowName() + "/" + target.name() + "'"));
                }
            }
            LoopGuard.check(trigger, action, "actions[" + i + "]");
        }
        return new Compiled(trigger, actions);
    }

    /** The windows it opens at once are written with it, in one commit of the store's limited size. */
    private static void refuseTooManyWindows(Trigger trigger) {
        int opened = Windows.opened("", trigger, Instant.EPOCH).size();
        if (opened > Windows.MAX_OPENED) {
            throw BadInput.invalid("trigger", "the trigger has " + opened + " proactive triggers that wait for no 'after' event; "
                    + "at most " + Windows.MAX_OPENED + " may (give some an 'after', or split the automation)");
        }
    }

    private Automation write(String id, UnaryOperator<Automation> change) {
        for (int attempt = 0; attempt < Revisions.MAX_ATTEMPTS; attempt++) {
            Automation current = get(id);
            Entry entry = store.get(new Key(AUTOMATIONS, current.name())).orElseThrow(() -> BadInput.notFound("automation", id));
            Automation next = change.apply(current);
            if (next.equals(current)) return current;
            Automation stored = next.withRevision(entry.revision() + 1);
            List<TriggerStore.Change> changes = new ArrayList<>();
            changes.add(TriggerStore.Change.replace(entry, Documents.write(stored), null, null));
            if (stored.enabled() && !current.enabled()) {
                // resuming closes the circuit breaker: its count starts again
                store.get(CircuitBreaker.key(id)).ifPresent(breaker -> changes.add(TriggerStore.Change.delete(breaker)));
            }
            if (stored.enabled() && !current.enabled() || !stored.trigger().equals(current.trigger())) {
                changes.addAll(Windows.opened(stored, AutomationParser.trigger("trigger", stored.trigger()), clock.now()).stream()
                        .filter(c -> store.get(c.key()).isEmpty()).toList());
            }
            if (store.commit(changes)) {
                changed.run();
                return stored;
            }
        }
        throw new Contention("automation " + id + " kept changing under " + Revisions.MAX_ATTEMPTS + " attempts; try again");
    }

    /**
     * Pauses the automation for its circuit breaker, with the reason, on the automation's revision
     * and only while the breaker is still open: an engine that read the breaker open just before
     * someone resumed the automation must not pause it again.
     *
     * @return whether this call paused it (false: it was paused already, or resumed meanwhile)
     */
    boolean breakCircuit(String id) {
        for (int attempt = 0; attempt < Revisions.MAX_ATTEMPTS; attempt++) {
            Entry breaker = store.get(CircuitBreaker.key(id)).orElse(null);
            if (breaker == null || !CircuitBreaker.state(breaker).open()) return false;
            Optional<Automation> found = find(id);
            if (found.isEmpty()) return false;
            Automation current = found.get();
            String reason = CircuitBreaker.state(breaker).reason();
            if (!current.enabled() && reason.equals(current.pausedReason())) return false;
            Entry entry = store.get(new Key(AUTOMATIONS, current.name())).orElse(null);
            if (entry == null) return false;
            Automation stored = current.pausedBecause(reason, clock.now()).withRevision(entry.revision() + 1);
            // the breaker written again unchanged: the commit holds only if no resume deleted it meanwhile
            if (store.commit(List.of(TriggerStore.Change.replace(entry, Documents.write(stored), null, null),
                    TriggerStore.Change.replace(breaker, breaker.doc(), null, null)))) {
                changed.run();
                return true;
            }
        }
        throw new Contention("automation " + id + " kept changing while its circuit breaker paused it; it is tried again");
    }

    static Automation automation(Entry entry) {
        return Documents.readStored(entry.doc(), Automation.class).withRevision(entry.revision());
    }

    private static String description(String text) {
        if (text != null && text.length() > MAX_DESCRIPTION) {
            throw BadInput.invalid("description", "'description' is longer than " + MAX_DESCRIPTION + " characters");
        }
        return text;
    }
}
