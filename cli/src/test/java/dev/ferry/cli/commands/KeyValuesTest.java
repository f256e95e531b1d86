package dev.ferry.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyValuesTest {

    @Test
    void jobVariables_areJsonWhenTheyParse_elseStrings() {
        ObjectNode vars = KeyValues.parse("--job-variable",
                List.of("timeout_seconds=60", "stream_output=false", "env={\"A\":\"1\"}", "command=python run.py",
                        "working_dir=/tmp", "empty="), key -> false);

        assertThat(vars.get("timeout_seconds").isInt()).isTrue();
        assertThat(vars.get("stream_output").isBoolean()).isTrue();
        assertThat(vars.get("env").path("A").asText()).isEqualTo("1");
        assertThat(vars.get("command").asText()).isEqualTo("python run.py");
        assertThat(vars.get("working_dir").asText()).isEqualTo("/tmp");
        assertThat(vars.get("empty").asText()).isEmpty();
    }

    @Test
    void trailingGarbage_isNotJson() {
        assertThat(KeyValues.jsonOrString("1 2").isTextual()).isTrue();
        assertThat(KeyValues.jsonOrString("\"quoted\"").asText()).isEqualTo("quoted");
    }
}
