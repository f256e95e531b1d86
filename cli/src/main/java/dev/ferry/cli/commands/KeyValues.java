package dev.ferry.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.ferry.core.common.Json;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Predicate;

/** {@code key=value} options such as {@code --param} and {@code --job-variable}. */
public final class KeyValues {
    private KeyValues() {}

    /**
     * The pairs as a JSON object. A value is kept as a string where {@code keepsString} says so
     * for its key, else read as JSON when it is JSON ({@code 3}, {@code true}, {@code [1,2]}),
     * else kept as a string after all ({@code Marvin}).
     */
    public static ObjectNode parse(String option, List<String> pairs, Predicate<String> keepsString) {
        return parse(option, pairs, (key, value) -> keepsString.test(key) ? TextNode.valueOf(value) : jsonOrString(value));
    }

    /** The pairs as a JSON object, each value as {@code read} makes it of its key and text. */
    public static ObjectNode parse(String option, List<String> pairs, BiFunction<String, String, JsonNode> read) {
        ObjectNode result = Json.MAPPER.createObjectNode();
        if (pairs == null) return result;
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new UsageError(option + " '" + pair + "' must look like key=value");
            }
            String key = pair.substring(0, eq).strip();
            String value = pair.substring(eq + 1);
            if (key.isEmpty()) throw new UsageError(option + " '" + pair + "' has an empty key");
            result.set(key, read.apply(key, value));
        }
        return result;
    }

    /** {@code value} read as JSON if it is JSON, else the string itself. */
    public static JsonNode jsonOrString(String value) {
        if (value.isBlank()) return TextNode.valueOf(value);
        try {
            return Json.tree(value);
        } catch (IllegalArgumentException e) {
            return TextNode.valueOf(value);
        }
    }

    /** A JSON object option such as {@code --params}; null when not given. */
    public static ObjectNode object(String option, String json) {
        if (json == null) return null;
        JsonNode node;
        try {
            node = Json.tree(json);
        } catch (IllegalArgumentException e) {
            throw new UsageError(option + " is not valid JSON (" + e.getMessage().replaceFirst("^not JSON: ", "")
                    + "); expected an object like '{\"name\": \"Marvin\"}'");
        }
        if (!(node instanceof ObjectNode object)) {
            throw new UsageError(option + " must be a JSON object like '{\"name\": \"Marvin\"}', not "
                    + node.getNodeType().toString().toLowerCase());
        }
        return object;
    }
}
