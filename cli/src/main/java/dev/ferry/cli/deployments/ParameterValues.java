package dev.ferry.cli.deployments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.commands.KeyValues;
import dev.ferry.core.common.Json;
import java.util.List;

/**
 * Flow parameters from {@code --params JSON} and {@code --param k=v}. The parameter schema
 * decides how {@code v} is read, so {@code --param name=123} stays the string "123" for a
 * {@code str} parameter while {@code --param count=3} is the number 3 for an {@code int}.
 */
public final class ParameterValues {
    private static final int MAX_REF_DEPTH = 8;

    private ParameterValues() {}

    /** {@code --params} first, then each {@code --param} on top of it. */
    public static ObjectNode of(String paramsJson, List<String> params, JsonNode schema) {
        ObjectNode result = Json.MAPPER.createObjectNode();
        ObjectNode base = KeyValues.object("--params", paramsJson);
        if (base != null) result.setAll(base);
        result.setAll(KeyValues.parse("--param", params, key -> keepsString(schema, key)));
        return result;
    }

    /** True when the value of {@code key} is text by the schema, or when there is no schema to ask. */
    static boolean keepsString(JsonNode schema, String key) {
        if (schema == null || !schema.path("properties").isObject()) return true;
        JsonNode property = schema.path("properties").get(key);
        return property != null && isString(schema, property, 0);
    }

    private static boolean isString(JsonNode root, JsonNode node, int depth) {
        if (depth > MAX_REF_DEPTH || node == null || !node.isObject()) return false;
        JsonNode ref = node.get("$ref");
        if (ref != null && ref.isTextual()) return isString(root, resolve(root, ref.asText()), depth + 1);
        JsonNode type = node.get("type");
        if (type != null && type.isTextual()) return type.asText().equals("string");
        if (type != null && type.isArray()) return onlyStrings(type);
        for (String union : List.of("anyOf", "oneOf")) {
            JsonNode options = node.get(union);
            if (options != null && options.isArray() && !options.isEmpty()) {
                boolean any = false;
                for (JsonNode option : options) {
                    if ("null".equals(option.path("type").asText())) continue;
                    if (!isString(root, option, depth + 1)) return false;
                    any = true;
                }
                return any;
            }
        }
        JsonNode allOf = node.get("allOf");
        if (allOf != null && allOf.isArray() && allOf.size() == 1) return isString(root, allOf.get(0), depth + 1);
        JsonNode values = node.get("enum");
        if (values != null && values.isArray() && !values.isEmpty()) {
            for (JsonNode value : values) {
                if (!value.isTextual()) return false;
            }
            return true;
        }
        JsonNode constant = node.get("const");
        return constant != null && constant.isTextual();
    }

    // "type": ["string", "null"] is an Optional[str]: text unless the user writes nothing.
    private static boolean onlyStrings(JsonNode types) {
        boolean sawString = false;
        for (JsonNode t : types) {
            if (t.asText().equals("string")) sawString = true;
            else if (!t.asText().equals("null")) return false;
        }
        return sawString;
    }

    private static JsonNode resolve(JsonNode root, String ref) {
        if (!ref.startsWith("#")) return null;
        return root.at(ref.substring(1));
    }
}
