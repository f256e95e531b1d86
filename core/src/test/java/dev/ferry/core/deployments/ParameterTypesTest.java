package dev.ferry.core.deployments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ParameterTypesTest {
    static final JsonNode TABLE = table();
    static final JsonNode ROOT = TABLE.get("root");

    private static JsonNode table() {
        try (InputStream in = ParameterTypesTest.class.getResourceAsStream("parameter-text-cases.json")) {
            return Json.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        TABLE.get("cases").forEach(c -> out.add(Arguments.of(c.get("parameter").asText(), c.get("text").asText(),
                c.path("error").asBoolean() ? null : c.get("value").asText())));
        return out.stream();
    }

    @ParameterizedTest(name = "{0} = ''{1}'' -> {2}")
    @MethodSource("cases")
    void aParametersText_isReadByItsType(String parameter, String text, String expected) {
        ParameterTypes.Type type = ParameterTypes.parameter(ROOT, parameter).orElseThrow();

        if (expected == null) {
            assertThatThrownBy(() -> ParameterTypes.fromText(ROOT, type, text)).isInstanceOf(IllegalArgumentException.class);
        } else {
            // Compared as JSON text: 2.0 and 2 are equal numbers, but not the same value to a Python float parameter.
            assertThat(Json.string(ParameterTypes.fromText(ROOT, type, text))).isEqualTo(Json.string(Json.tree(expected)));
        }
    }

    @Test
    void everyKindOfTheTable_isCovered() {
        List<ParameterTypes.Kind> kinds = new ArrayList<>();
        ROOT.get("properties").fieldNames().forEachRemaining(name -> kinds.add(ParameterTypes.parameter(ROOT, name).orElseThrow().kind()));
        assertThat(kinds).contains(ParameterTypes.Kind.values());
    }

    @Test
    void refusals_sayWhatWouldBeAccepted() {
        assertThatThrownBy(() -> ParameterTypes.fromText(ROOT, ParameterTypes.parameter(ROOT, "ratio").orElseThrow(), "two"))
                .hasMessage("must be a number, like 2.5 (got 'two')");
        assertThatThrownBy(() -> ParameterTypes.fromText(ROOT, ParameterTypes.parameter(ROOT, "color").orElseThrow(), "green"))
                .hasMessage("must be one of: red, blue (got 'green')");
        assertThatThrownBy(() -> ParameterTypes.fromText(ROOT, ParameterTypes.parameter(ROOT, "count").orElseThrow(), " "))
                .hasMessage("needs a value (a whole number)");
    }

    @Test
    void normalized_makesWholeNumbersOfNumberParameters_floats_atEveryDepth_andLeavesTheRest() {
        JsonNode root = Json.tree("""
                {"type": "object", "properties": {
                  "ratio": {"type": "number"}, "count": {"type": "integer"},
                  "maybe": {"anyOf": [{"type": "number"}, {"type": "null"}]},
                  "points": {"type": "array", "items": {"$ref": "#/$defs/Point"}}},
                 "$defs": {"Point": {"type": "object", "properties": {"x": {"type": "number"}}}}}
                """);
        ObjectNode given = (ObjectNode) Json.tree("""
                {"ratio": 2, "count": 2, "maybe": 3, "points": [{"x": 1, "label": 1}], "extra": 1}
                """);

        assertThat(Json.string(ParameterTypes.normalized(root, given)))
                .isEqualTo("{\"ratio\":2.0,\"count\":2,\"maybe\":3.0,\"points\":[{\"x\":1.0,\"label\":1}],\"extra\":1}");
        assertThat(ParameterTypes.normalized(Json.tree("{}"), given)).isSameAs(given);
    }
}
