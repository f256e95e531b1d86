package dev.ferry.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.ferry.core.Ferry;
import dev.ferry.core.common.Json;
import dev.ferry.core.ecs.EcsDispatcher;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Starts the runs of {@code ecs} pools as ECS tasks. Invoked every minute; each invocation
 * dispatches (core's {@code EcsDispatcher.runUntil}: claims through core, so limits and queue
 * priority hold) until the function's deadline, so a due run is started within milliseconds and
 * invocations overlap rather than leave gaps (docs/ecs.md says why this and not an SQS event source).
 */
public final class EcsDispatchFunction implements RequestHandler<ScheduledEvent, Map<String, Integer>> {
    private final EcsDispatcher dispatcher;

    /** Lambda's: wired from the environment once per container. */
    public EcsDispatchFunction() {
        this(Container.current().wiring().ferry());
    }

    /** Over given adapters (tests). */
    public EcsDispatchFunction(Ferry ferry) {
        if (ferry.ecs() == null) throw new IllegalStateException("Ferry was wired without ECS");
        this.dispatcher = ferry.ecs().dispatcher();
    }

    @Override
    public Map<String, Integer> handleRequest(ScheduledEvent event, Context context) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        try {
            dispatcher.runUntil(Duration.ofMillis(context == null ? 0 : context.getRemainingTimeInMillis()))
                    .forEach((kind, n) -> counts.put(kind.name().toLowerCase(Locale.ROOT), n));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (context != null) context.getLogger().log("ecs dispatch " + Json.string(counts));
        return counts;
    }
}
