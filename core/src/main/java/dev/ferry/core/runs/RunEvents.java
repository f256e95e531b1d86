package dev.ferry.core.runs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.Json;
import dev.ferry.core.events.Event;
import dev.ferry.core.events.Poster;
import dev.ferry.core.events.Resource;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The event a run's state change makes ({@code ferry.flow-run.<state name>}), built from the run
 * as stored alone: the same stored run always gives the same event, id included, so a write that
 * is retried (or reported again) emits the event it already emitted, which the store drops.
 */
public final class RunEvents {
    public static final String PREFIX = "ferry.flow-run.";
    /** Label values are kept this short, as clients' are; a long state message is cut. */
    private static final int MAX_LABEL = 1024;

    private RunEvents() {}

    /** The event of the run's current state; null when that state is progress within the previous one, which is no change. */
    public static Event stateChanged(FlowRun run) {
        State state = run.state();
        List<State> history = run.stateHistory();
        State previous = history.size() >= 2 ? history.get(history.size() - 2) : null;
        if (previous != null && previous.type() == state.type() && previous.name().equals(state.name())) return null;
        String id = UUID.nameUUIDFromBytes(("ferry.flow-run/" + run.id() + "/" + state.timestamp() + "/" + state.type()
                + "/" + state.name()).getBytes(StandardCharsets.UTF_8)).toString();
        Resource resource = Resource.of("ferry.flow-run." + run.id(), run.name())
                .with("ferry.state-type", state.type().name())
                .with("ferry.state-name", state.name())
                .with("ferry.state-timestamp", state.timestamp().toString());
        if (state.message() != null && !state.message().isEmpty()) resource = resource.with("ferry.state-message", cut(state.message()));
        ObjectNode payload = Json.MAPPER.createObjectNode();
        ObjectNode intended = payload.putObject("intended");
        intended.put("from", previous == null ? null : previous.type().name());
        intended.put("to", state.type().name());
        if (previous == null) payload.putNull("initial_state");
        else payload.set("initial_state", view(previous));
        payload.set("validated_state", view(state));
        return new Event(id, state.timestamp(), PREFIX + state.name(), resource, related(run), payload, null, null);
    }

    /** For events a run's flow posts with its token: about the run, with the run's related resources. */
    public static Poster poster(FlowRun run) {
        return new Poster("ferry.flow-run/" + run.id(), Resource.of(PREFIX + run.id(), run.name()), "flow-run", related(run));
    }

    private static List<Resource> related(FlowRun run) {
        List<Resource> related = new ArrayList<>();
        if (run.flowName() != null) related.add(Resource.related("ferry.flow." + run.flowName(), run.flowName(), "flow"));
        if (run.deploymentId() != null) {
            related.add(Resource.related("ferry.deployment." + run.deploymentId(), run.flowName() + "/" + run.deploymentName(),
                    "deployment"));
        }
        if (run.workPoolId() != null) related.add(Resource.related("ferry.work-pool." + run.workPoolId(), run.workPoolName(), "work-pool"));
        if (run.workQueueId() != null) {
            related.add(Resource.related("ferry.work-queue." + run.workQueueId(), run.workQueueName(), "work-queue"));
        }
        for (String tag : run.tags()) related.add(Resource.related("ferry.tag." + tag, tag, "tag"));
        return related;
    }

    private static ObjectNode view(State state) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("type", state.type().name());
        node.put("name", state.name());
        node.put("message", state.message());
        return node;
    }

    private static String cut(String text) {
        String line = text.replaceAll("\\p{Cntrl}", " ");
        return line.length() <= MAX_LABEL ? line : line.substring(0, MAX_LABEL - 1) + "…";
    }
}
