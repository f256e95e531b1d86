package dev.ferry.core.ecs;

import dev.ferry.core.common.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
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
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Json.string(this).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
