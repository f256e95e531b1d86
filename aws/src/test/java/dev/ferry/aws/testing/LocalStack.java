package dev.ferry.aws.testing;

import java.net.URI;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;

/** The LocalStack path, for machines with a Docker engine ({@code -Demulator=localstack}). */
final class LocalStack {
    private static final String IMAGE = "localstack/localstack:4.4";

    private LocalStack() {}

    static URI start() {
        @SuppressWarnings("resource") // lives as long as the JVM; Testcontainers' reaper removes it
        LocalStackContainer container = new LocalStackContainer(DockerImageName.parse(IMAGE))
                .withServices(LocalStackContainer.EnabledService.named("dynamodb"),
                        LocalStackContainer.EnabledService.named("sqs"),
                        LocalStackContainer.EnabledService.named("scheduler"),
                        LocalStackContainer.EnabledService.named("ecs"));
        container.start();
        return container.getEndpoint();
    }
}
