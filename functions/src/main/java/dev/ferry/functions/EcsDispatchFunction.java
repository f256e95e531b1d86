package dev.ferry.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.ferry.core.Ferry;
import dev.ferry.core.common.Json;
import dev.ferry.core.ecs.EcsDispatcher;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts the runs of {@code ecs} pools as ECS tasks. Invoked every minute; each invocation
 * long-polls the pools' SQS queues (through core's claims: limits and queue priority hold)
 * until its deadline minus {@link #DEADLINE_BUFFER}, so a due run is started within
 * milliseconds and invocations overlap rather than leave gaps (docs/ecs.md says why this and
 * not an SQS event source).
 */
public final class EcsDispatchFunction implements RequestHandler<ScheduledEvent, Map<String, Integer>> {
    /** Kept back from the deadline: the last claim pass (SQS, DynamoDB, RunTask per run) must fit. */
    static final Duration DEADLINE_BUFFER = Duration.ofSeconds(10);
    /** Runs claimed per pool and pass. */
    static final int BATCH = 10;

    private final EcsDispatcher dispatcher;

    /** Lambda's: wired from the environment once per container. */
    public EcsDispatchFunction() {
        this(Container.current().wiring().ferry());
    }

    /** Over given adapters (tests, {@code ferry server start --aws}). */
    public EcsDispatchFunction(Ferry ferry) {
        if (ferry.ecs() == null) throw new IllegalStateException("Ferry was wired without ECS");
        this.dispatcher = ferry.ecs().dispatcher();
    }

    @Override
    public Map<String, Integer> handleRequest(ScheduledEvent event, Context context) {
        long remaining = context == null ? 0 : context.getRemainingTimeInMillis();
        long deadline = System.nanoTime() + Duration.ofMillis(remaining).minus(DEADLINE_BUFFER).toNanos();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (EcsDispatcher.Kind kind : EcsDispatcher.Kind.values()) counts.put(kind.name().toLowerCase(java.util.Locale.ROOT), 0);
        try {
            do {
                List<String> pools = dispatcher.pools();
                if (pools.isEmpty()) break;
                long left = Math.max(0, (deadline - System.nanoTime()) / 1_000_000_000L);
                // One pool: long-poll it. Several: a short wait each, round robin.
                int wait = (int) Math.min(pools.size() == 1 ? 20 : 1, left);
                long roundStart = System.nanoTime();
                for (String pool : pools) {
                    try {
                        for (EcsDispatcher.Dispatched d : dispatcher.dispatch(pool, BATCH, wait)) {
                            counts.merge(d.kind().name().toLowerCase(java.util.Locale.ROOT), 1, Integer::sum);
                        }
                    } catch (RuntimeException e) {
                        // One pool's trouble (deleted meanwhile, a throttled table) must not starve the others.
                        if (context != null) context.getLogger().log("ecs dispatch of pool '" + pool + "' failed: " + e);
                    }
                }
                // Paused pools answer at once: don't spin on them.
                long spent = System.nanoTime() - roundStart;
                if (spent < 1_000_000_000L && System.nanoTime() + 1_000_000_000L < deadline) {
                    Thread.sleep((1_000_000_000L - spent) / 1_000_000L);
                }
            } while (System.nanoTime() < deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (context != null) context.getLogger().log("ecs dispatch " + Json.string(counts));
        return counts;
    }
}
