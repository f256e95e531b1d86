package dev.ferry.core;

import dev.ferry.core.deployments.DeploymentStore;
import dev.ferry.core.ecs.TaskDefinitions;
import dev.ferry.core.events.EventStore;
import dev.ferry.core.pools.PoolStore;
import dev.ferry.core.pools.WorkQueues;
import dev.ferry.core.runs.RunLogs;
import dev.ferry.core.runs.RunStore;
import dev.ferry.core.scheduler.ScheduleCursors;
import dev.ferry.core.scheduler.ScheduleTimer;

/**
 * What one adapter set provides (embedded: SQLite and an in-process timer; AWS: DynamoDB, SQS and
 * EventBridge Scheduler): the stores (events among them), the work queues and the schedule timer {@link Ferry#wire}
 * builds the services on. Only the wiring sees it; every service takes the ports it needs.
 */
public record Ports(PoolStore pools, DeploymentStore deployments, RunStore runs, RunLogs runLogs,
                    ScheduleCursors scheduleCursors, TaskDefinitions taskDefinitions, EventStore events,
                    WorkQueues workQueues, ScheduleTimer timer) {}
