package dev.ferry.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.cli.testing.Cli;
import dev.ferry.cli.testing.Cli.Result;
import dev.ferry.cli.testing.FakeApi;
import dev.ferry.cli.testing.FakeApi.Reply;
import java.net.ServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErrorMappingTest {
    private final FakeApi fake = new FakeApi();

    @AfterEach
    void stop() {
        fake.close();
    }

    @ParameterizedTest
    @CsvSource({"400, 2", "413, 2", "422, 2", "404, 1", "409, 1", "401, 1", "500, 1"})
    void problemStatus_decidesTheExitCode(int status, int exitCode) {
        fake.on("POST", "/api/work_pools", call -> Reply.problem(status, "refused for a reason", "name"));

        Result result = Cli.run("work-pool", "create", "p", "--type", "process", "--api-url", fake.url().toString());

        assertThat(result.exitCode()).isEqualTo(exitCode);
        assertThat(result.err()).startsWith("error: refused for a reason (field 'name')");
        assertThat(result.err().lines()).hasSize(1);
        assertThat(result.out()).isEmpty();
    }

    @Test
    void unauthorized_hintsAtTheApiKey() {
        fake.on("GET", "/api/work_pools", call -> Reply.problem(401, "missing or invalid API key", null));

        Result result = Cli.run("work-pool", "ls", "--api-url", fake.url().toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).isEqualTo(
                "error: missing or invalid API key; pass the server's key with --api-key or FERRY_API_KEY\n");
    }

    @Test
    void unreachableApi_saysHowToStartIt() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port;

        Result result = Cli.run("flow-run", "ls", "--api-url", url);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("error: cannot reach the Ferry API at " + url
                + " (connection refused); start it with 'ferry server start' or set FERRY_API_URL\n");
    }

    @Test
    void usageError_isOneLine_withExitCode2() {
        Result result = Cli.run("work-queue", "ls");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo(
                "error: Missing required option: '--pool=POOL' (see 'ferry work-queue ls --help')\n");
    }

    @Test
    void unknownCommand_isAUsageError() {
        Result result = Cli.run("work-pools", "ls");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err().lines()).hasSize(1);
        assertThat(result.err()).startsWith("error: Unmatched arguments");
    }

    @Test
    void badLocalInput_isAUsageError_andNothingIsSent() {
        Result result = Cli.run("work-pool", "create", "p", "--type", "kubernetes", "--api-url", fake.url().toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("error: --type 'kubernetes' is not a work pool type; accepted: process, ecs\n");
        assertThat(fake.calls()).isEmpty();
    }

    @Test
    void serverJunk_neverShowsAStackTrace() {
        fake.on("GET", "/api/work_pools", call -> Reply.text(200, "<html>not json</html>"));

        Result result = Cli.run("work-pool", "ls", "--api-url", fake.url().toString());

        assertThat(result.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }
}
