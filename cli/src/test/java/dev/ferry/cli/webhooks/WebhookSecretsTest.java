package dev.ferry.cli.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.cli.commands.UsageError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebhookSecretsTest {
    private static final Map<String, String> ENV = Map.of("GITHUB_WEBHOOK_SECRET", "it's-a-secret-to-everybody", "EMPTY", " ");

    @TempDir
    Path dir;

    @Test
    void read_takesTheNamedEnvironmentVariable() {
        assertThat(Secrets.read("GITHUB_WEBHOOK_SECRET", null, ENV::get)).isEqualTo("it's-a-secret-to-everybody");
    }

    @Test
    void read_takesTheFile_withoutItsTrailingNewline() throws Exception {
        Path file = Files.writeString(dir.resolve("secret"), "it's-a-secret-to-everybody\r\n");

        assertThat(Secrets.read(null, file, ENV::get)).isEqualTo("it's-a-secret-to-everybody");
    }

    @Test
    void read_givesNull_whenNeitherIsGiven() {
        assertThat(Secrets.read(null, null, ENV::get)).isNull();
    }

    @Test
    void read_refusesAMissingOrEmptyVariable_aMissingOrEmptyFile_andBoth_namingTheOption() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty"), "\n");

        assertThatThrownBy(() -> Secrets.read("NOT_SET", null, ENV::get)).isInstanceOf(UsageError.class)
                .hasMessage("--secret-env NOT_SET: the environment variable is not set");
        assertThatThrownBy(() -> Secrets.read("EMPTY", null, ENV::get)).hasMessage("--secret-env EMPTY: the environment variable is empty");
        assertThatThrownBy(() -> Secrets.read(null, dir.resolve("nope"), ENV::get))
                .hasMessage("--secret-file '" + dir.resolve("nope") + "' does not exist");
        assertThatThrownBy(() -> Secrets.read(null, empty, ENV::get)).hasMessage("--secret-file '" + empty + "' is empty");
        assertThatThrownBy(() -> Secrets.read("GITHUB_WEBHOOK_SECRET", empty, ENV::get))
                .hasMessage("give --secret-env or --secret-file, not both");
    }
}
