package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.cli.testing.Cli;
import dev.ferry.cli.testing.Cli.Result;
import dev.ferry.cli.testing.FakeApi;
import dev.ferry.cli.testing.FakeApi.Reply;
import dev.ferry.core.common.Json;
import java.io.IOException;
import java.net.ServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class VersionCommandTest {
    private static final String VERSION = dev.ferry.core.Ferry.VERSION;
    private final FakeApi fake = new FakeApi();

    @AfterEach
    void stop() {
        fake.close();
    }

    @Test
    void version_printsTheVersionTheServerReports_andTheServersOwn() {
        fake.on("GET", "/api/health", call -> Reply.ok(Json.tree("{\"status\": \"ok\", \"version\": \"" + VERSION + "\"}")));

        Result result = Cli.against(fake.url(), "version");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo("ferry " + VERSION + "\nserver " + VERSION + " at " + fake.url() + "\n");
    }

    @Test
    void aServerOfAnotherVersion_isPointedOut() {
        fake.on("GET", "/api/health", call -> Reply.ok(Json.tree("{\"status\": \"ok\", \"version\": \"9.9.9\"}")));

        assertThat(Cli.against(fake.url(), "version").out())
                .endsWith("server 9.9.9 at " + fake.url() + " (differs from this client's " + VERSION + ")\n");
    }

    @Test
    void withNoServer_theClientsVersionStillPrints_andExits0() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }

        Result result = Cli.run("version", "--api-url", "http://127.0.0.1:" + port);

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo("ferry " + VERSION + "\nserver: none answered at http://127.0.0.1:" + port + "\n");
    }

    @Test
    void dashDashVersion_startsWithTheSameVersionLine_withNoDevelopmentBuildPlaceholder() {
        Result result = Cli.run("--version");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("ferry " + VERSION + "\n").doesNotContain("development build");
        assertThat(result.out().lines().toList()).hasSize(2);
    }

    @Test
    void jsonOutput_hasBothVersions() {
        fake.on("GET", "/api/health", call -> Reply.ok(Json.tree("{\"status\": \"ok\", \"version\": \"" + VERSION + "\"}")));

        assertThat(Json.tree(Cli.against(fake.url(), "version", "-o", "json").out())).isEqualTo(Json.tree(
                "{\"client\": \"" + VERSION + "\", \"api_url\": \"" + fake.url() + "\", \"server\": \"" + VERSION + "\"}"));
    }
}
