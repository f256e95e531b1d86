package dev.ferry.core.ecs;

import java.util.List;
import java.util.Map;

/**
 * One RunTask request.
 *
 * @param clientToken names the run's attempt: ECS starts one task per token, so a repeated
 *                    request (a retry after a lost answer) never starts a second one
 * @param startedBy   the run id, so a task can be found from its run (ListTasks) and its events matched
 * @param group       marks Ferry's tasks for the EventBridge rule (task events carry no tags)
 */
public record TaskLaunch(String cluster, String taskDefinitionArn, EcsJob.Placement placement, List<String> subnets,
                         List<String> securityGroups, boolean assignPublicIp, String containerName,
                         List<String> command, Map<String, String> environment, Map<String, String> tags,
                         String clientToken, String startedBy, String group) {}
