package dev.ferry.cli.deployments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.ferry.cli.commands.KeyValues;
import dev.ferry.cli.commands.UsageError;
import dev.ferry.core.common.Json;
import dev.ferry.core.deployments.ParameterTypes;
import java.util.List;
import java.util.Optional;

/**
 * Flow parameters from {@code --params JSON} and {@code --param k=v}. The parameter schema
 * decides how {@code v} is read ({@link ParameterTypes}, the rule the server and the web UI
 * follow too), so {@code --param name=123} stays the string "123" for a {@code str} parameter,
 * {@code --param count=3} is the number 3 for an {@code int} and {@code --param ratio=2} is 2.0
 * for a {@code float}. A value its parameter's type cannot take is refused here, naming both.
 */
public final class ParameterValues {
    private ParameterValues() {}

    /** {@code --params} first, then each {@code --param} on top of it. */
    public static ObjectNode of(String paramsJson, List<String> params, JsonNode schema) {
        ObjectNode result = Json.MAPPER.createObjectNode();
        ObjectNode base = KeyValues.object("--params", paramsJson);
        if (base != null) result.setAll(base);
        result.setAll(KeyValues.parse("--param", params, (key, value) -> read(schema, key, value)));
        return result;
    }

    private static JsonNode read(JsonNode schema, String key, String value) {
        // Without a schema there is nothing to type by: the flow gets the text it was given.
        if (schema == null || !schema.path("properties").isObject()) return TextNode.valueOf(value);
        Optional<ParameterTypes.Type> type = ParameterTypes.parameter(schema, key);
        if (type.isEmpty()) return KeyValues.jsonOrString(value);
        try {
            return ParameterTypes.fromText(schema, type.get(), value);
        } catch (IllegalArgumentException e) {
            throw new UsageError("--param " + key + "=" + value + ": '" + key + "' " + e.getMessage());
        }
    }
}
