package dev.ferry.core;

import dev.ferry.core.deployments.DeploymentStore;
import dev.ferry.core.ecs.TaskDefinitions;
import dev.ferry.core.events.EventFeed;
import dev.ferry.core.events.EventStore;
import dev.ferry.core.janitor.Checkpoints;
import dev.ferry.core.pools.PoolStore;
import dev.ferry.core.pools.WorkQueues;
import dev.ferry.core.runs.RunLogs;
import dev.ferry.core.runs.RunStore;
import dev.ferry.core.scheduler.ScheduleCursors;
import dev.ferry.core.scheduler.ScheduleTimer;
import dev.ferry.core.triggers.TriggerStore;

/**
 * What one adapter set provides (embedded: SQLite and an in-process timer; AWS: DynamoDB, SQS and
 * EventBridge Scheduler): the stores (events among them), the work queues and the schedule timer {@link Ferry#wire}
 * builds the services on. Only the wiring sees it; every service takes the ports it needs.
 *
 * @param eventFeed the stored events in order, for an in-process automation engine; null where
 *                  something else feeds the engine (on AWS, the table's stream)
 * @param checkpoints where the janitor keeps when it last swept; null to keep that in memory only
 */
public record Ports(PoolStore pools, DeploymentStore deployments, RunStore runs, RunLogs runLogs,
                    ScheduleCursors scheduleCursors, TaskDefinitions taskDefinitions, EventStore events,
                    EventFeed eventFeed, TriggerStore triggers, WorkQueues workQueues, ScheduleTimer timer,
                    Checkpoints checkpoints) {

    /** Without checkpoints: a janitor's first sweep in a process reads everything. */
    public Ports(PoolStore pools, DeploymentStore deployments, RunStore runs, RunLogs runLogs,
                 ScheduleCursors scheduleCursors, TaskDefinitions taskDefinitions, EventStore events,
                 EventFeed eventFeed, TriggerStore triggers, WorkQueues workQueues, ScheduleTimer timer) {
        this(pools, deployments, runs, runLogs, scheduleCursors, taskDefinitions, events, eventFeed, triggers, workQueues,
                timer, null);
    }
}
