package dev.ferry.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.ferry.core.Ferry;
import dev.ferry.core.common.Json;
import dev.ferry.core.janitor.Janitor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Housekeeping on a schedule (EventBridge, every minute): one janitor sweep per event. The event
 * carries nothing the sweep needs; the counts are returned (and logged) so a run can be checked.
 */
public final class JanitorFunction implements RequestHandler<ScheduledEvent, Map<String, Integer>> {
    private final Janitor janitor;

    /** Lambda's: wired from the environment once per container. */
    public JanitorFunction() {
        this(Container.current().wiring().ferry());
    }

    /** Over given adapters (tests, {@code ferry server start --aws}). */
    public JanitorFunction(Ferry ferry) {
        this.janitor = ferry.janitor();
    }

    @Override
    public Map<String, Integer> handleRequest(ScheduledEvent event, Context context) {
        Janitor.Sweep sweep = janitor.sweep();
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("late", sweep.late());
        counts.put("crashed", sweep.crashed());
        counts.put("cancelled", sweep.cancelled());
        counts.put("redelivered", sweep.redelivered());
        counts.put("schedules_healed", sweep.schedulesHealed());
        if (context != null) context.getLogger().log("janitor sweep " + Json.string(counts));
        return counts;
    }
}
