package dev.ferry.core.testing;

import dev.ferry.core.Ferry;
import dev.ferry.core.Ports;
import dev.ferry.core.Settings;
import dev.ferry.core.api.Router;
import dev.ferry.core.auth.ApiKeyService;
import dev.ferry.core.auth.BootstrapKey;
import dev.ferry.core.auth.InMemoryApiKeys;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Ids;
import dev.ferry.core.deployments.InMemoryDeployments;
import dev.ferry.core.ecs.InMemoryTaskDefinitions;
import dev.ferry.core.events.InMemoryEvents;
import dev.ferry.core.janitor.InMemoryCheckpoints;
import dev.ferry.core.pools.InMemoryPools;
import dev.ferry.core.pools.InMemoryWorkQueues;
import dev.ferry.core.runs.InMemoryRunLogs;
import dev.ferry.core.runs.InMemoryRuns;
import dev.ferry.core.scheduler.InMemoryScheduleCursors;
import dev.ferry.core.scheduler.ManualTimer;
import dev.ferry.core.scheduler.ScheduleTimer;
import dev.ferry.core.triggers.InMemoryTriggerStore;

/** One fresh in-memory adapter per port, so core's tests run the whole of Ferry without a database. */
public record InMemoryAdapters(
        InMemoryPools pools,
        InMemoryDeployments deployments,
        InMemoryRuns runs,
        InMemoryRunLogs logs,
        InMemoryScheduleCursors cursors,
        InMemoryTaskDefinitions taskDefinitions,
        InMemoryEvents events,
        InMemoryTriggerStore automations,
        InMemoryWorkQueues workQueues,
        InMemoryCheckpoints checkpoints) {

    /** Empty adapters; the work queues read time from {@code clock}. */
    public static InMemoryAdapters on(Clock clock) {
        InMemoryEvents events = new InMemoryEvents();
        return new InMemoryAdapters(new InMemoryPools(), new InMemoryDeployments(), new InMemoryRuns(events),
                new InMemoryRunLogs(), new InMemoryScheduleCursors(), new InMemoryTaskDefinitions(), events,
                new InMemoryTriggerStore(), new InMemoryWorkQueues(clock), new InMemoryCheckpoints());
    }

    /**
     * The whole API over fresh in-memory adapters, on a ticking test clock and a manual timer.
     *
     * @param adminKey the bootstrap ADMIN key; null for an open server
     */
    public static TestApi api(String adminKey) {
        return api(adminKey, Settings.DEFAULTS);
    }

    /** {@link #api(String)}, with what a server's environment would set. */
    public static TestApi api(String adminKey, Settings settings) {
        TestClock clock = TestClock.ticking();
        ManualTimer timer = new ManualTimer();
        InMemoryAdapters adapters = on(clock);
        ApiKeyService auth = new ApiKeyService(new InMemoryApiKeys(), BootstrapKey.ofKey(adminKey), clock, Ids.RANDOM);
        Ferry ferry = Ferry.wire(adapters.ports(timer), clock, Ids.RANDOM, auth.runTokens(), null, settings);
        return new TestApi(ferry, new Router(ferry, clock, auth), clock, timer, auth, () -> {});
    }

    /** The ports Ferry is wired from, with {@code timer} as the schedule timer. */
    public Ports ports(ScheduleTimer timer) {
        return new Ports(pools, deployments, runs, logs, cursors, taskDefinitions, events, events, automations, workQueues, timer,
                checkpoints);
    }
}
