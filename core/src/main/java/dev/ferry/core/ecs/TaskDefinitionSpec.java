package dev.ferry.core.ecs;

import dev.ferry.core.common.Hashes;
import dev.ferry.core.common.Json;
import java.util.List;

/**
 * The task definition Ferry registers for a job: everything that, changed, needs a new revision.
 * Per-run data (command, environment, tags) goes in RunTask's overrides instead, so runs of the
 * same template share one revision.
 *
 * @param compatibilities FARGATE and/or EC2
 * @param logGroup        the awslogs group, or null without CloudWatch logging
 */
public record TaskDefinitionSpec(String family, String image, int cpu, int memory, String containerName,
                                 String taskRoleArn, String executionRoleArn, List<String> compatibilities,
                                 String logGroup, String logStreamPrefix, boolean createLogGroup) {

    /** A digest of the content: equal specs share a registered revision (content hash -> ARN in the store). */
    public String contentHash() {
        return Hashes.sha256Hex(Json.string(this)).substring(0, 32);
    }
}
