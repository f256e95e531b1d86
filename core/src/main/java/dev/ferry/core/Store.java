package dev.ferry.core;

import dev.ferry.core.deployments.DeploymentStore;
import dev.ferry.core.ecs.TaskDefinitions;
import dev.ferry.core.pools.PoolStore;
import dev.ferry.core.runs.RunLogs;
import dev.ferry.core.runs.RunStore;
import dev.ferry.core.scheduler.ScheduleCursors;

/**
 * The feature stores one adapter module keeps together (embedded: one SQLite file; AWS: one
 * DynamoDB table). Only the wiring sees it: every service takes the feature port it needs.
 */
public interface Store extends PoolStore, DeploymentStore, RunStore, RunLogs, ScheduleCursors, TaskDefinitions {}
