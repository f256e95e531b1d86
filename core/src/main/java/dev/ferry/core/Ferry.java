package dev.ferry.core;

import dev.ferry.core.auth.RunTokens;
import dev.ferry.core.deployments.DeploymentService;
import dev.ferry.core.janitor.Janitor;
import dev.ferry.core.pools.PoolService;
import dev.ferry.core.ports.Clock;
import dev.ferry.core.ports.Ids;
import dev.ferry.core.ports.ScheduleTimer;
import dev.ferry.core.ports.Store;
import dev.ferry.core.ports.WorkQueues;
import dev.ferry.core.runs.ClaimService;
import dev.ferry.core.runs.FlowRunService;
import dev.ferry.core.runs.Transitions;
import dev.ferry.core.schedules.ScheduleService;

/** The application services, wired once from the ports an adapter set provides. */
public record Ferry(PoolService pools, DeploymentService deployments, FlowRunService runs, ClaimService claims,
                    ScheduleService schedules, Janitor janitor) {

    public static final String VERSION = "0.1.0";

    /** Without run tokens: claims carry no {@code run_token}. */
    public static Ferry wire(Store store, WorkQueues workQueues, ScheduleTimer timer, Clock clock, Ids ids) {
        return wire(store, workQueues, timer, clock, ids, RunTokens.none());
    }

    /** @param runTokens minted for every claimed run ({@code ApiKeyService.runTokens()}) */
    public static Ferry wire(Store store, WorkQueues workQueues, ScheduleTimer timer, Clock clock, Ids ids,
                             RunTokens runTokens) {
        Transitions transitions = new Transitions(store, workQueues, clock);
        PoolService pools = new PoolService(store, workQueues, clock, ids);
        FlowRunService runs = new FlowRunService(store, workQueues, transitions, clock, ids);
        ScheduleService schedules = new ScheduleService(store, timer, runs, clock);
        return new Ferry(pools,
                new DeploymentService(store, clock, ids, schedules),
                runs,
                new ClaimService(store, workQueues, transitions, pools, clock, runTokens),
                schedules,
                new Janitor(store, workQueues, transitions, schedules, clock));
    }
}
