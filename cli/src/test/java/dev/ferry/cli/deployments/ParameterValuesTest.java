package dev.ferry.cli.deployments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.commands.UsageError;
import dev.ferry.core.common.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParameterValuesTest {
    private static final JsonNode SCHEMA = Json.tree("""
            {"type": "object",
             "properties": {
               "name": {"type": "string"},
               "count": {"type": "integer"},
               "ratio": {"type": "number"},
               "enabled": {"type": "boolean"},
               "items": {"type": "array", "items": {"type": "string"}},
               "nickname": {"anyOf": [{"type": "string"}, {"type": "null"}]},
               "label": {"type": ["string", "null"]},
               "color": {"$ref": "#/definitions/Color"},
               "when": {"type": "string", "format": "date-time"},
               "anything": {}
             },
             "definitions": {"Color": {"enum": ["red", "blue"]}}}
            """);

    private static ObjectNode params(String... pairs) {
        return ParameterValues.of(null, List.of(pairs), SCHEMA);
    }

    @Test
    void stringParameters_stayStrings_evenWhenTheyLookLikeJson() {
        ObjectNode p = params("name=123", "nickname=true", "label=null", "color=red", "when=2026-01-31T12:00:00Z");

        assertThat(p.get("name").isTextual()).isTrue();
        assertThat(p.get("name").asText()).isEqualTo("123");
        assertThat(p.get("nickname").asText()).isEqualTo("true");
        assertThat(p.get("label").asText()).isEqualTo("null");
        assertThat(p.get("color").asText()).isEqualTo("red");
        assertThat(p.get("when").asText()).isEqualTo("2026-01-31T12:00:00Z");
    }

    @Test
    void typedParameters_areReadAsJson() {
        ObjectNode p = params("count=3", "ratio=0.5", "enabled=false", "items=[\"a\",\"b\"]", "anything={\"k\":1}");

        assertThat(p.get("count").isInt()).isTrue();
        assertThat(p.get("ratio").asDouble()).isEqualTo(0.5);
        assertThat(p.get("enabled").isBoolean()).isTrue();
        assertThat(p.get("items").size()).isEqualTo(2);
        assertThat(p.get("anything").path("k").asInt()).isEqualTo(1);
    }

    @Test
    void aValueItsTypeCannotTake_isRefused_namingTheParameterAndWhatItTakes() {
        assertThatThrownBy(() -> params("count=three")).isInstanceOf(UsageError.class)
                .hasMessage("--param count=three: 'count' must be a whole number, like 3 (got 'three')");
        assertThatThrownBy(() -> params("color=green")).isInstanceOf(UsageError.class)
                .hasMessage("--param color=green: 'color' must be one of: red, blue (got 'green')");
    }

    @Test
    void aWholeNumberForAFloatParameter_isSentAsAFloat() {
        assertThat(Json.string(params("ratio=2", "count=2"))).isEqualTo("{\"ratio\":2.0,\"count\":2}");
    }

    @Test
    void withoutASchema_everythingIsAString() {
        ObjectNode p = ParameterValues.of(null, List.of("count=3", "flag=true"), null);

        assertThat(p.get("count").asText()).isEqualTo("3");
        assertThat(p.get("count").isTextual()).isTrue();
        assertThat(p.get("flag").isTextual()).isTrue();
    }

    @Test
    void valuesMayContainEqualsSigns() {
        assertThat(params("name=a=b").get("name").asText()).isEqualTo("a=b");
    }

    @Test
    void paramsJson_isMergedUnderTheParamValues() {
        ObjectNode p = ParameterValues.of("{\"name\": \"Arthur\", \"count\": 1}", List.of("name=Marvin"), SCHEMA);

        assertThat(p.get("name").asText()).isEqualTo("Marvin");
        assertThat(p.get("count").asInt()).isEqualTo(1);
    }

    @Test
    void badInput_isAUsageErrorThatSaysWhatWasExpected() {
        assertThatThrownBy(() -> params("name"))
                .isInstanceOf(UsageError.class).hasMessage("--param 'name' must look like key=value");
        assertThatThrownBy(() -> ParameterValues.of("[1, 2]", List.of(), SCHEMA))
                .isInstanceOf(UsageError.class).hasMessageStartingWith("--params must be a JSON object");
        assertThatThrownBy(() -> ParameterValues.of("{nope", List.of(), SCHEMA))
                .isInstanceOf(UsageError.class).hasMessageStartingWith("--params is not valid JSON");
    }
}
