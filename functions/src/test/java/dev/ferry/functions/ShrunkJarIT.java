package dev.ferry.functions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.aws.dynamodb.Tables;
import dev.ferry.aws.scheduler.EventBridgeTimer;
import dev.ferry.aws.testing.Emulator;
import dev.ferry.core.auth.ApiKeyService;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The jar template.yaml deploys is shrunk at package time (functions/shrink.pro): this runs
 * {@link ShrunkJarDrill} on that jar alone, in a JVM of its own with Lambda's flags, against the
 * emulator. The rest of the suite runs on the unshrunk classes, so only this test would see a
 * class the shrinking dropped that a handler needs.
 */
@ExtendWith(Emulator.class)
class ShrunkJarIT {
    private static final String TABLE = "ferry-shrunk";
    private static final String KEY = "ferry_shrunk-jar-test-key";

    @Test
    void everyHandler_runsOnTheDeployedJarAlone() throws Exception {
        Emulator.reset();
        Emulator.pinEcsTasks();
        Tables.create(Emulator.dynamoDb(), TABLE);
        Emulator.ecs().createCluster(b -> b.clusterName("ferry-shrunk").capacityProviders("FARGATE", "FARGATE_SPOT"));
        Emulator.logs().createLogGroup(b -> b.logGroupName("/ferry/tasks"));
        Emulator.scheduler().createScheduleGroup(b -> b.name(TABLE));
        EventBridgeTimer.Settings scheduling = Emulator.scheduling(TABLE);

        Path jar = Path.of("target/ferry-functions.jar").toAbsolutePath();
        assertThat(jar).exists();
        ProcessBuilder child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", jar + File.pathSeparator + Path.of("target/test-classes").toAbsolutePath(),
                ShrunkJarDrill.class.getName())
                .redirectErrorStream(true);
        Map<String, String> env = child.environment();
        env.putAll(Map.of("FERRY_TABLE_NAME", TABLE, "FERRY_QUEUE_PREFIX", TABLE + "-", "AWS_REGION", Emulator.REGION.id(),
                "FERRY_AWS_ENDPOINT", Emulator.endpoint().toString(), "FERRY_ADMIN_KEY_HASH", ApiKeyService.hash(KEY),
                "FERRY_SCHEDULE_GROUP", scheduling.group(), "FERRY_SCHEDULE_TARGET_ARN", scheduling.targetArn(),
                "FERRY_SCHEDULER_ROLE_ARN", scheduling.roleArn(), "FERRY_SCHEDULE_DLQ_ARN", scheduling.deadLetterArn(),
                "FERRY_TASK_API_URL", "https://api.ferry.test"));
        env.putAll(Map.of("AWS_ACCESS_KEY_ID", "testing", "AWS_SECRET_ACCESS_KEY", "testing", "DRILL_KEY", KEY,
                "DRILL_CLUSTER", "ferry-shrunk", "DRILL_SUBNET", Emulator.defaultSubnets().get(0),
                "DRILL_EVENTS", Path.of("..", "events").toAbsolutePath().toString()));
        Process process = child.start();
        boolean ended = process.waitFor(5, TimeUnit.MINUTES);
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!ended) process.destroyForcibly();
        System.out.print(output);

        assertThat(ended).as(output).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("drill: ecs dispatch", "drill: ecs event", "drill: GET /api/flow_runs/", "drill: janitor",
                "drill: schedule", "drill: automations", "drill: done").doesNotContain("NoClassDefFoundError", "NoSuchMethodError");
    }
}
