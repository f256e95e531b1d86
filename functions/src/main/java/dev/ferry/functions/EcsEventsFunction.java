package dev.ferry.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.Ferry;
import dev.ferry.core.common.Json;
import dev.ferry.core.ecs.TaskObserver;
import dev.ferry.core.ecs.TaskStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ECS Task State Change events (the EventBridge rule matches Ferry's tasks by their group) ->
 * the run's state, through core's {@link TaskObserver}. Repeated and out-of-order events change nothing.
 */
public final class EcsEventsFunction implements RequestHandler<Map<String, Object>, Map<String, String>> {
    private final TaskObserver observer;

    /** Lambda's: wired from the environment once per container. */
    public EcsEventsFunction() {
        this(Container.current().wiring().ferry());
    }

    /** Over given adapters (tests). */
    public EcsEventsFunction(Ferry ferry) {
        if (ferry.ecs() == null) throw new IllegalStateException("Ferry was wired without ECS");
        this.observer = ferry.ecs().observer();
    }

    @Override
    public Map<String, String> handleRequest(Map<String, Object> event, Context context) {
        JsonNode tree = Json.MAPPER.valueToTree(event);
        TaskStatus status = TaskEvents.status(tree);
        Map<String, String> out = new LinkedHashMap<>();
        TaskObserver.Effect effect = status == null ? TaskObserver.Effect.NOT_OURS : observer.observe(status);
        out.put("effect", effect.name());
        out.put("task", status == null ? null : status.taskArn());
        out.put("last_status", status == null ? null : status.lastStatus());
        if (context != null) context.getLogger().log("ecs event " + Json.string(out));
        return out;
    }
}
