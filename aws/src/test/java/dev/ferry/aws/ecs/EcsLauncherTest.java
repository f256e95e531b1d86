package dev.ferry.aws.ecs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.ecs.LaunchResult;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ecs.model.ClientException;
import software.amazon.awssdk.services.ecs.model.EcsException;
import software.amazon.awssdk.services.ecs.model.InvalidParameterException;
import software.amazon.awssdk.services.ecs.model.ServerException;

/** What ECS's errors mean for a launch. */
class EcsLauncherTest {

    private static AwsServiceException error(AwsServiceException.Builder b, int status, String code, String message) {
        return b.statusCode(status).awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).build())
                .message(message).build();
    }

    @Test
    void throttling_andServerErrors_mayPass() {
        assertThat(EcsLauncher.classify(error(EcsException.builder(), 400, "ThrottlingException", "Rate exceeded")))
                .isInstanceOf(LaunchResult.Throttled.class);
        assertThat(EcsLauncher.classify(error(ServerException.builder(), 500, "ServerException", "internal")))
                .isInstanceOf(LaunchResult.Throttled.class);
    }

    @Test
    void capacityErrors_callForTheNextStrategy() {
        assertThat(EcsLauncher.classify(error(ClientException.builder(), 400, "ClientException",
                "Capacity is unavailable at this time. Please try again later or in a different availability zone")))
                .isInstanceOf(LaunchResult.NoCapacity.class);
        assertThat(EcsLauncher.isCapacity("RESOURCE:MEMORY")).isTrue();
        assertThat(EcsLauncher.isCapacity("MISSING")).isFalse();
    }

    @Test
    void badRequests_areFinal() {
        assertThat(EcsLauncher.classify(error(InvalidParameterException.builder(), 400, "InvalidParameterException",
                "subnet-123 does not exist"))).isInstanceOf(LaunchResult.Refused.class);
    }
}
