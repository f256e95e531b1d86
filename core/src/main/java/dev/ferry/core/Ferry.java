package dev.ferry.core;

import dev.ferry.core.auth.RunTokens;
import dev.ferry.core.automations.Automations;
import dev.ferry.core.automations.HttpWebhookCalls;
import dev.ferry.core.automations.WebhookCalls;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Ids;
import dev.ferry.core.deployments.DeploymentEvents;
import dev.ferry.core.deployments.DeploymentService;
import dev.ferry.core.deployments.DeploymentStore;
import dev.ferry.core.ecs.Ecs;
import dev.ferry.core.ecs.EcsDispatcher;
import dev.ferry.core.ecs.EcsReconciler;
import dev.ferry.core.ecs.TaskObserver;
import dev.ferry.core.events.EventService;
import dev.ferry.core.janitor.Janitor;
import dev.ferry.core.pools.PoolService;
import dev.ferry.core.pools.PoolStore;
import dev.ferry.core.pools.WorkQueues;
import dev.ferry.core.runs.ClaimService;
import dev.ferry.core.runs.FlowRunService;
import dev.ferry.core.runs.Infrastructure;
import dev.ferry.core.runs.RunStore;
import dev.ferry.core.runs.TaskLogs;
import dev.ferry.core.runs.Transitions;
import dev.ferry.core.scheduler.Scheduler;
import dev.ferry.core.webhooks.WebhookService;

/** The application services, wired once from the ports an adapter set provides. */
public record Ferry(PoolService pools, DeploymentService deployments, FlowRunService runs, ClaimService claims,
                    Scheduler schedules, Janitor janitor, Ecs ecs, EventService events, Automations automations,
                    WebhookService webhooks) {

    public static final String VERSION = "0.1.0";

    /** Without run tokens: claims carry no {@code run_token}. */
    public static Ferry wire(Ports ports, Clock clock, Ids ids) {
        return wire(ports, clock, ids, RunTokens.none());
    }

    /** @param runTokens minted for every claimed run ({@code ApiKeyService.runTokens()}) */
    public static Ferry wire(Ports ports, Clock clock, Ids ids, RunTokens runTokens) {
        return wire(ports, clock, ids, runTokens, null);
    }

    /** @param ecs how {@code ecs} pools reach ECS; null where there is no ECS (their runs then wait in their queues) */
    public static Ferry wire(Ports ports, Clock clock, Ids ids, RunTokens runTokens, Ecs.Settings ecs) {
        return wire(ports, clock, ids, runTokens, ecs, Settings.DEFAULTS);
    }

    /** @param settings what the environment tunes: the event retention, the automations' circuit breaker, loopback webhooks */
    public static Ferry wire(Ports ports, Clock clock, Ids ids, RunTokens runTokens, Ecs.Settings ecs, Settings settings) {
        return wire(ports, clock, ids, runTokens, ecs, settings, new HttpWebhookCalls(settings.webhookAllowLoopback()));
    }

    /** @param webhooks where automations' call-webhook actions go out */
    public static Ferry wire(Ports ports, Clock clock, Ids ids, RunTokens runTokens, Ecs.Settings ecs, WebhookCalls webhooks) {
        return wire(ports, clock, ids, runTokens, ecs, Settings.DEFAULTS, webhooks);
    }

    public static Ferry wire(Ports ports, Clock clock, Ids ids, RunTokens runTokens, Ecs.Settings ecs, Settings settings,
                             WebhookCalls webhooks) {
        PoolStore poolStore = ports.pools();
        DeploymentStore deploymentStore = ports.deployments();
        RunStore runStore = ports.runs();
        WorkQueues workQueues = ports.workQueues();
        EventService events = new EventService(ports.events(), clock, ids, settings.eventRetention());
        Transitions transitions = new Transitions(runStore, workQueues, clock, events);
        // a lambda, not runStore::activeRuns, which would refuse the null ports of tests that wire no adapters at all
        PoolService pools = new PoolService(poolStore, (pool, queue) -> runStore.activeRuns(pool, queue), workQueues,
                clock, ids, events);
        ClaimService claims = new ClaimService(runStore, poolStore, deploymentStore, workQueues, transitions, pools,
                clock, runTokens);
        Ecs ecsServices = null;
        if (ecs != null) {
            TaskObserver observer = new TaskObserver(runStore, transitions, ecs.logs());
            ecsServices = new Ecs(new EcsDispatcher(poolStore, ports.taskDefinitions(), transitions, claims, ecs.launcher(),
                    clock, ecs.pause(), ecs.apiUrl()), observer,
                    new EcsReconciler(runStore, poolStore, transitions, ecs.launcher(), observer, clock));
        }
        EcsReconciler reconciler = ecsServices == null ? null : ecsServices.reconciler();
        FlowRunService runs = new FlowRunService(runStore, ports.runLogs(), poolStore, workQueues, transitions,
                clock, ids, ecs == null ? TaskLogs.NONE : ecs.logs(),
                reconciler == null ? null : run -> reconciler.stop(run, Infrastructure.STOP_CANCELLED, clock.now()),
                settings.runLogQuota());
        Scheduler schedules = new Scheduler(deploymentStore, runStore, poolStore, ports.scheduleCursors(), ports.timer(),
                runs, clock);
        DeploymentService deployments = new DeploymentService(deploymentStore, poolStore, clock, ids, (before, after) -> {
            schedules.sync(before, after);
            events.publish(DeploymentEvents.changed(before, after, clock.now()));
        });
        Automations automations = Automations.wire(ports.triggers(), ports.eventFeed(), deployments, runs, pools, events,
                webhooks, settings.maxFiringsPerMinute(), clock, ids);
        return new Ferry(pools,
                deployments,
                runs,
                claims,
                schedules,
                new Janitor(runStore, poolStore, workQueues, transitions, schedules, clock, reconciler, events,
                        automations.engine(), ports.checkpoints()),
                ecsServices,
                events,
                automations,
                new WebhookService(ports.triggers(), events, clock, ids));
    }
}
