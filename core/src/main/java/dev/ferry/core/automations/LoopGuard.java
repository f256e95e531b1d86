package dev.ferry.core.automations;

import dev.ferry.core.common.BadInput;
import dev.ferry.core.events.LabelPattern;
import dev.ferry.core.events.Resource;
import java.util.List;

/**
 * Refuses the automation that feeds itself: a reactive trigger on a deployment's runs being
 * Scheduled, Pending or Running whose action runs that same deployment makes a run, whose
 * Scheduled event makes another, without end.
 */
final class LoopGuard {
    private static final List<String> STARTS = List.of("ferry.flow-run.Scheduled", "ferry.flow-run.Pending",
            "ferry.flow-run.Running");

    private LoopGuard() {}

    static void check(Trigger trigger, Action action, String at) {
        if (!(action instanceof Action.RunDeployment run)) return;
        if (loops(trigger, run.deployment())) {
            throw BadInput.invalid(at, "this automation would run itself without end: its trigger counts runs being "
                    + "scheduled, pending or running of the deployment its '" + action.type() + "' action runs; trigger on "
                    + "Completed (or another end state), or run another deployment");
        }
    }

    private static boolean loops(Trigger trigger, Action.DeploymentTarget target) {
        if (trigger instanceof Trigger.Event e) {
            if (e.posture() != Posture.REACTIVE || STARTS.stream().noneMatch(name -> LabelPattern.matchesAny(e.expect(), name)
                    && e.expect().stream().anyMatch(p -> !p.startsWith("!")))) {
                return false;
            }
            // inferred: it runs the deployment of whichever run counted
            if (target == null) return true;
            String id = target.id() == null ? null : "ferry.deployment." + target.id();
            String name = target.id() == null ? target.flowName() + "/" + target.name() : null;
            // it counts runs of that deployment unless some match_related spec pins the deployment to another one
            return e.matchRelated().stream().allMatch(spec -> {
                List<String> roles = spec.labels().getOrDefault(Resource.ROLE, List.of());
                if (!roles.isEmpty() && !LabelPattern.matchesAny(roles, "deployment")) return true;
                List<String> ids = spec.labels().get(Resource.ID);
                List<String> names = spec.labels().get(Resource.NAME);
                return (ids == null || id == null || LabelPattern.matchesAny(ids, id))
                        && (names == null || name == null || LabelPattern.matchesAny(names, name));
            }) && LabelPattern.matchesAny(e.match().labels().getOrDefault(Resource.ID, List.of()), "ferry.flow-run.x");
        }
        List<Trigger> children = trigger instanceof Trigger.Compound c ? c.triggers() : ((Trigger.Sequence) trigger).triggers();
        return children.stream().anyMatch(t -> loops(t, target));
    }
}
