package dev.ferry.cli.project;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.testing.Cli;
import dev.ferry.cli.testing.Cli.Result;
import dev.ferry.cli.testing.FakeApi;
import dev.ferry.cli.testing.FakeApi.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Runs the real signature reader (Python) on a flow file below the working directory. */
class DeployCommandTest {
    private static final Path FLOWS = Path.of("target", "deploy-command-test", "flows");
    private final FakeApi fake = new FakeApi();
    private final AtomicInteger posts = new AtomicInteger();

    @BeforeEach
    void flowFile() throws Exception {
        Files.createDirectories(FLOWS);
        Files.writeString(FLOWS.resolve("greet.py"), """
                def say_hello(name: str, times: int = 1, loud: bool = False):
                    print(("Hello " + name) * times)
                """);
        fake.on("POST", "/api/deployments", call -> {
            ObjectNode answer = ((ObjectNode) call.body().deepCopy()).put("id", "dep-1");
            return Reply.json(posts.incrementAndGet() == 1 ? 201 : 200, answer);
        });
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    private Result deploy(String... extra) {
        String[] base = {"deploy", FLOWS.resolve("greet.py") + ":say_hello", "-n", "nightly", "-p", "local",
                "--api-url", fake.url().toString()};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return Cli.run(args);
    }

    @Test
    void deploy_takesNameDescriptionAndRetriesFromTheFlowDecorator_andOptionsWinOverIt() throws Exception {
        Files.writeString(FLOWS.resolve("decorated.py"), """
                from prefect import flow

                @flow(name="Nightly ETL", retries=2, retry_delay_seconds=30)
                def etl():
                    \"\"\"Loads the warehouse.\"\"\"
                """);
        String entrypoint = FLOWS.resolve("decorated.py") + ":etl";

        Result fromSource = Cli.run("deploy", entrypoint, "-n", "n", "-p", "local", "--api-url", fake.url().toString());
        Result overridden = Cli.run("deploy", entrypoint, "-n", "n", "-p", "local", "--api-url", fake.url().toString(),
                "--flow-name", "etl", "--description", "mine", "--retries", "0", "--retry-delay", "5");

        assertThat(fromSource.exitCode()).as(fromSource.err()).isZero();
        assertThat(fromSource.out()).startsWith("Deployment 'Nightly ETL/n' created");
        JsonNode sent = fake.calls("POST", "/api/deployments").get(0).body();
        assertThat(sent.path("flow_name").asText()).isEqualTo("Nightly ETL");
        assertThat(sent.path("description").asText()).isEqualTo("Loads the warehouse.");
        assertThat(sent.path("retries").asInt()).isEqualTo(2);
        assertThat(sent.path("retry_delay_seconds").asInt()).isEqualTo(30);
        assertThat(overridden.exitCode()).as(overridden.err()).isZero();
        JsonNode again = fake.calls("POST", "/api/deployments").get(1).body();
        assertThat(again.path("flow_name").asText()).isEqualTo("etl");
        assertThat(again.path("description").asText()).isEqualTo("mine");
        assertThat(again.path("retries").asInt()).isZero();
        assertThat(again.path("retry_delay_seconds").asInt()).isEqualTo(5);
    }

    @Test
    void deploy_sendsTheSchemaAndTypedDefaults_andSaysCreatedThenUpdated() {
        Result first = deploy("--param", "name=007", "--param", "times=2", "-q", "low", "--tag", "nightly",
                "--version", "1.2", "--retries", "3", "--retry-delay", "10", "--concurrency-limit", "1",
                "--collision-strategy", "cancel_new", "--job-variable", "stream_output=false");

        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out()).isEqualTo("""
                Deployment 'say-hello/nightly' created
                Run it with: ferry deployment run 'say-hello/nightly'
                """);
        JsonNode sent = fake.calls("POST", "/api/deployments").get(0).body();
        assertThat(sent.path("flow_name").asText()).isEqualTo("say-hello");
        // stored relative to the repository root, whichever directory it was deployed from
        assertThat(sent.path("entrypoint").asText()).endsWith(FLOWS.resolve("greet.py") + ":say_hello")
                .doesNotStartWith("/");
        assertThat(sent.path("work_pool_name").asText()).isEqualTo("local");
        assertThat(sent.path("work_queue_name").asText()).isEqualTo("low");
        assertThat(sent.path("parameters").path("name").asText()).isEqualTo("007");
        assertThat(sent.path("parameters").path("times").asInt()).isEqualTo(2);
        assertThat(sent.path("parameter_openapi_schema").path("properties").has("loud")).isTrue();
        assertThat(sent.path("version").asText()).isEqualTo("1.2");
        assertThat(sent.path("retries").asInt()).isEqualTo(3);
        assertThat(sent.path("retry_delay_seconds").asInt()).isEqualTo(10);
        assertThat(sent.path("collision_strategy").asText()).isEqualTo("CANCEL_NEW");
        assertThat(sent.path("job_variables").path("stream_output").isBoolean()).isTrue();

        assertThat(deploy().out()).startsWith("Deployment 'say-hello/nightly' updated");
    }

    @Test
    void aMissingFunction_isAUsageError_andNothingIsSent() {
        Result result = Cli.run("deploy", FLOWS.resolve("greet.py") + ":nope", "-n", "x", "-p", "local",
                "--api-url", fake.url().toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("error: ").contains("nope");
        assertThat(fake.calls()).isEmpty();
    }

    @Test
    void aCollisionStrategyWithoutALimit_isRefused() {
        Result result = deploy("--collision-strategy", "ENQUEUE");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("error: --collision-strategy only applies with --concurrency-limit N\n");
    }
}
