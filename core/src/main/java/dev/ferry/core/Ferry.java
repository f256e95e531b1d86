package dev.ferry.core;

import dev.ferry.core.auth.RunTokens;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Ids;
import dev.ferry.core.deployments.DeploymentService;
import dev.ferry.core.ecs.Ecs;
import dev.ferry.core.ecs.EcsDispatcher;
import dev.ferry.core.ecs.EcsReconciler;
import dev.ferry.core.ecs.TaskObserver;
import dev.ferry.core.janitor.Janitor;
import dev.ferry.core.pools.PoolService;
import dev.ferry.core.pools.WorkQueues;
import dev.ferry.core.runs.ClaimService;
import dev.ferry.core.runs.FlowRunService;
import dev.ferry.core.runs.Infrastructure;
import dev.ferry.core.runs.TaskLogs;
import dev.ferry.core.runs.Transitions;
import dev.ferry.core.scheduler.ScheduleTimer;
import dev.ferry.core.scheduler.Scheduler;

/** The application services, wired once from the ports an adapter set provides. */
public record Ferry(PoolService pools, DeploymentService deployments, FlowRunService runs, ClaimService claims,
                    Scheduler schedules, Janitor janitor, Ecs ecs) {

    public static final String VERSION = "0.1.0";

    /** Without run tokens: claims carry no {@code run_token}. */
    public static Ferry wire(Store store, WorkQueues workQueues, ScheduleTimer timer, Clock clock, Ids ids) {
        return wire(store, workQueues, timer, clock, ids, RunTokens.none());
    }

    /** @param runTokens minted for every claimed run ({@code ApiKeyService.runTokens()}) */
    public static Ferry wire(Store store, WorkQueues workQueues, ScheduleTimer timer, Clock clock, Ids ids,
                             RunTokens runTokens) {
        return wire(store, workQueues, timer, clock, ids, runTokens, null);
    }

    /** @param ecs how {@code ecs} pools reach ECS; null where there is no ECS (their runs then wait in their queues) */
    public static Ferry wire(Store store, WorkQueues workQueues, ScheduleTimer timer, Clock clock, Ids ids,
                             RunTokens runTokens, Ecs.Settings ecs) {
        Transitions transitions = new Transitions(store, workQueues, clock);
        PoolService pools = new PoolService(store, (pool, queue) -> store.activeRuns(pool, queue), workQueues, clock, ids);
        ClaimService claims = new ClaimService(store, store, store, workQueues, transitions, pools, clock, runTokens);
        Ecs ecsServices = null;
        if (ecs != null) {
            TaskObserver observer = new TaskObserver(store, transitions, ecs.logs());
            ecsServices = new Ecs(new EcsDispatcher(store, store, transitions, claims, ecs.launcher(), clock, ecs.pause(),
                    ecs.apiUrl()), observer, new EcsReconciler(store, store, transitions, ecs.launcher(), observer, clock));
        }
        EcsReconciler reconciler = ecsServices == null ? null : ecsServices.reconciler();
        FlowRunService runs = new FlowRunService(store, store, store, workQueues, transitions, clock, ids,
                ecs == null ? TaskLogs.NONE : ecs.logs(),
                reconciler == null ? null : run -> reconciler.stop(run, Infrastructure.STOP_CANCELLED, clock.now()));
        Scheduler schedules = new Scheduler(store, store, store, store, timer, runs, clock);
        return new Ferry(pools,
                new DeploymentService(store, store, clock, ids, (before, after) -> schedules.sync(before, after)),
                runs,
                claims,
                schedules,
                new Janitor(store, store, workQueues, transitions, schedules, clock, reconciler),
                ecsServices);
    }
}
