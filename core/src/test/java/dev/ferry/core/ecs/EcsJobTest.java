package dev.ferry.core.ecs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Json;
import dev.ferry.core.jobs.JobTemplate;
import dev.ferry.core.pools.BaseJobTemplates;
import dev.ferry.core.pools.PoolType;
import java.util.List;
import org.junit.jupiter.api.Test;

class EcsJobTest {
    private static final ObjectNode TEMPLATE = BaseJobTemplates.defaultFor(PoolType.ECS);

    private static EcsJob job(String variables) {
        ObjectNode vars = JobTemplate.merge(JobTemplate.defaults(TEMPLATE), (ObjectNode) Json.tree(variables));
        return EcsJob.parse(JobTemplate.render(TEMPLATE, vars));
    }

    @Test
    void defaults_runOnFargate_withTheFlowContainer() {
        EcsJob job = job("{\"image\": \"img\", \"subnets\": [\"subnet-1\"]}");

        assertThat(job.attempts()).containsExactly(new EcsJob.Placement("FARGATE", List.of()));
        assertThat(job.containerName()).isEqualTo("flow");
        assertThat(job.cpu()).isEqualTo(1024);
        assertThat(job.memory()).isEqualTo(2048);
        assertThat(job.command()).isNull();
    }

    @Test
    void fargateSpot_isACapacityProvider_andTheFallbacksFollowInOrder() {
        EcsJob job = job("{\"image\": \"img\", \"subnets\": [\"s\"], \"launch_type\": \"FARGATE_SPOT\", "
                + "\"capacity_fallback\": [[{\"capacity_provider\": \"FARGATE\", \"weight\": 2, \"base\": 1}]]}");

        assertThat(job.attempts()).containsExactly(
                new EcsJob.Placement(null, List.of(new CapacityItem("FARGATE_SPOT", 1, 0))),
                new EcsJob.Placement(null, List.of(new CapacityItem("FARGATE", 2, 1))));
    }

    @Test
    void command_isSplitLikeAShell() {
        assertThat(job("{\"image\": \"i\", \"subnets\": [\"s\"], \"command\": \"python -c 'print(1)' \\\"a b\\\"\"}").command())
                .containsExactly("python", "-c", "print(1)", "a b");
    }

    @Test
    void problems_nameTheVariable() {
        assertThatThrownBy(() -> job("{\"subnets\": [\"s\"]}")).isInstanceOf(BadInput.class)
                .hasMessageContaining("job variable 'image' is required");
        assertThatThrownBy(() -> job("{\"image\": \"i\"}")).hasMessageContaining("'subnets' is empty");
        assertThatThrownBy(() -> job("{\"image\": \"i\", \"subnets\": [\"s\"], \"env\": {\"FERRY_API_KEY\": \"x\"}}"))
                .hasMessageContaining("env.FERRY_API_KEY");
        assertThatThrownBy(() -> job("{\"image\": \"i\", \"subnets\": [\"s\"], \"cloudwatch_logs\": {\"group\": \"/ferry/x\"}}"))
                .hasMessageContaining("'execution_role_arn' is required");
        assertThatThrownBy(() -> job("{\"image\": \"i\", \"subnets\": [\"s\"], \"command\": \"echo 'open\"}"))
                .hasMessageContaining("job variable 'command' has an unclosed single quote");
    }

    @Test
    void aTaskDefinitionArn_isUsedAsIs_withoutImage() {
        EcsJob job = job("{\"task_definition_arn\": \"arn:aws:ecs:us-east-1:1:task-definition/x:3\", \"subnets\": [\"s\"]}");

        assertThat(job.taskDefinitionArn()).endsWith("x:3");
    }

    @Test
    void theContentHash_changesWithTheContent_only() {
        EcsJob a = job("{\"image\": \"img:1\", \"subnets\": [\"s\"]}");
        EcsJob b = job("{\"image\": \"img:1\", \"subnets\": [\"t\"], \"env\": {\"X\": \"1\"}}");
        EcsJob c = job("{\"image\": \"img:2\", \"subnets\": [\"s\"]}");

        assertThat(EcsDispatcher.spec(a, "pool").contentHash()).as("per-run data is no content")
                .isEqualTo(EcsDispatcher.spec(b, "pool").contentHash());
        assertThat(EcsDispatcher.spec(a, "pool").contentHash()).isNotEqualTo(EcsDispatcher.spec(c, "pool").contentHash());
        assertThat(EcsDispatcher.spec(a, "my pool").family()).isEqualTo("ferry-my-pool");
    }
}
