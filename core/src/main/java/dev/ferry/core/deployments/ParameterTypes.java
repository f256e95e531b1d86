package dev.ferry.core.deployments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.ferry.core.common.Json;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What a flow parameter's value is, by the deployment's parameter schema: the one rule by which
 * the CLI reads {@code --param k=v}, and by which the server types what any client sent before it
 * is validated and handed to the flow. The web UI's custom-run form (app.js, {@code readParam})
 * follows the same table; its cases and these are tested alike.
 *
 * <p>JSON has one number type, but Python has two: a {@code float} parameter given {@code 2} would
 * get the int 2, so a whole number for a {@code number} parameter is sent on as {@code 2.0}.
 */
public final class ParameterTypes {
    private static final int MAX_REF_DEPTH = 8;
    private static final Pattern INTEGER = Pattern.compile("[-+]?\\d+");
    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

    /** The closed set of kinds a parameter's control or reader is chosen by; ANY is whatever JSON. */
    public enum Kind { STRING, INTEGER, NUMBER, BOOLEAN, ARRAY, OBJECT, NULL, ENUM, ANY }

    /**
     * A parameter's type.
     *
     * @param nullable null is accepted too (an {@code Optional[...]})
     * @param values   the accepted values of an ENUM
     * @param schema   the resolved schema ({@code items}, {@code properties} of nested values)
     */
    public record Type(Kind kind, boolean nullable, List<JsonNode> values, JsonNode schema) {}

    private ParameterTypes() {}

    /** The declared type of parameter {@code name}; empty when the schema declares no properties or not this one. */
    public static Optional<Type> parameter(JsonNode root, String name) {
        if (root == null || !root.path("properties").isObject()) return Optional.empty();
        JsonNode property = root.path("properties").get(name);
        return property == null ? Optional.empty() : Optional.of(of(root, property));
    }

    /** The type {@code node} (a schema inside {@code root}) describes. */
    public static Type of(JsonNode root, JsonNode node) {
        return of(root, node, 0);
    }

    private static Type of(JsonNode root, JsonNode node, int depth) {
        JsonNode s = resolve(root, node, depth);
        if (s == null) return new Type(Kind.ANY, false, List.of(), Json.MAPPER.createObjectNode());
        boolean nullable = false;
        for (String union : List.of("anyOf", "oneOf")) {
            JsonNode options = s.get(union);
            if (options == null || !options.isArray() || options.isEmpty()) continue;
            List<JsonNode> others = new ArrayList<>();
            for (JsonNode option : options) {
                JsonNode resolved = resolve(root, option, depth + 1);
                if (resolved != null && "null".equals(resolved.path("type").asText())) nullable = true;
                else others.add(option);
            }
            if (others.size() != 1) return new Type(Kind.ANY, nullable, List.of(), s);
            Type inner = of(root, others.get(0), depth + 1);
            return new Type(inner.kind(), true, inner.values(), inner.schema());
        }
        JsonNode values = s.get("enum");
        if (values != null && values.isArray() && !values.isEmpty()) {
            List<JsonNode> accepted = new ArrayList<>();
            values.forEach(accepted::add);
            return new Type(Kind.ENUM, accepted.stream().anyMatch(JsonNode::isNull), accepted, s);
        }
        if (s.has("const")) return new Type(Kind.ENUM, s.get("const").isNull(), List.of(s.get("const")), s);
        JsonNode type = s.get("type");
        String name = type == null ? null : type.isTextual() ? type.asText() : null;
        if (type != null && type.isArray()) {
            List<String> rest = new ArrayList<>();
            for (JsonNode t : type) {
                if ("null".equals(t.asText())) nullable = true;
                else rest.add(t.asText());
            }
            name = rest.size() == 1 ? rest.get(0) : rest.isEmpty() ? "null" : null;
        }
        Kind kind = name == null ? Kind.ANY : switch (name) {
            case "string" -> Kind.STRING;
            case "integer" -> Kind.INTEGER;
            case "number" -> Kind.NUMBER;
            case "boolean" -> Kind.BOOLEAN;
            case "array" -> Kind.ARRAY;
            case "object" -> Kind.OBJECT;
            case "null" -> Kind.NULL;
            default -> Kind.ANY;
        };
        return new Type(kind, nullable || kind == Kind.NULL, List.of(), s);
    }

    /**
     * The value {@code text} stands for, as typed on a command line or in a form field.
     *
     * @throws IllegalArgumentException saying what would be accepted
     */
    public static JsonNode fromText(JsonNode root, Type type, String text) {
        String trimmed = text.strip();
        if (type.nullable() && type.kind() != Kind.STRING && type.kind() != Kind.ANY && trimmed.equals("null")) {
            return NullNode.getInstance();
        }
        if (trimmed.isEmpty() && type.kind() != Kind.STRING && type.kind() != Kind.ANY) {
            throw new IllegalArgumentException("needs a value (" + describe(type) + ")");
        }
        return switch (type.kind()) {
            case STRING -> TextNode.valueOf(text);
            case INTEGER -> {
                if (!INTEGER.matcher(trimmed).matches()) {
                    throw new IllegalArgumentException("must be a whole number, like 3 (got '" + trimmed + "')");
                }
                yield integer(new BigInteger(trimmed.startsWith("+") ? trimmed.substring(1) : trimmed));
            }
            case NUMBER -> {
                if (!NUMBER.matcher(trimmed).matches()) {
                    throw new IllegalArgumentException("must be a number, like 2.5 (got '" + trimmed + "')");
                }
                yield DoubleNode.valueOf(Double.parseDouble(trimmed));
            }
            case BOOLEAN -> switch (trimmed) {
                case "true" -> Json.tree("true");
                case "false" -> Json.tree("false");
                default -> throw new IllegalArgumentException("must be true or false (got '" + trimmed + "')");
            };
            case NULL -> throw new IllegalArgumentException("must be null (got '" + trimmed + "')");
            case ARRAY -> {
                JsonNode v = json(trimmed);
                if (!v.isArray()) throw new IllegalArgumentException("must be a JSON array, like [1, 2, 3] (got '" + trimmed + "')");
                yield normalized(root, type.schema(), v);
            }
            case OBJECT -> {
                JsonNode v = json(trimmed);
                if (!v.isObject()) {
                    throw new IllegalArgumentException("must be a JSON object, like {\"key\": \"value\"} (got '" + trimmed + "')");
                }
                yield normalized(root, type.schema(), v);
            }
            case ENUM -> enumValue(type, text, trimmed);
            case ANY -> {
                JsonNode parsed = trimmed.isEmpty() ? null : jsonOrNull(trimmed);
                yield parsed == null ? TextNode.valueOf(text) : parsed;
            }
        };
    }

    private static JsonNode enumValue(Type type, String text, String trimmed) {
        for (JsonNode value : type.values()) {
            if (value.isTextual() && value.asText().equals(text)) return value;
        }
        JsonNode parsed = jsonOrNull(trimmed);
        for (JsonNode value : type.values()) {
            if (parsed != null && same(value, parsed)) return value;
        }
        throw new IllegalArgumentException("must be one of: " + type.values().stream()
                .map(v -> v.isTextual() ? v.asText() : v.toString()).collect(Collectors.joining(", "))
                + " (got '" + text + "')");
    }

    /** {@code parameters} as the schema types them (whole numbers for number parameters as 2.0); the rest as given. */
    public static ObjectNode normalized(JsonNode root, ObjectNode parameters) {
        if (root == null || !root.path("properties").isObject() || parameters == null) return parameters;
        JsonNode properties = root.get("properties");
        ObjectNode out = Json.MAPPER.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = parameters.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode property = properties.get(field.getKey());
            out.set(field.getKey(), property == null ? field.getValue() : normalized(root, property, field.getValue()));
        }
        return out;
    }

    private static JsonNode normalized(JsonNode root, JsonNode schema, JsonNode value) {
        Type type = of(root, schema);
        switch (type.kind()) {
            case NUMBER -> {
                if (value.isIntegralNumber()) return DoubleNode.valueOf(value.doubleValue());
            }
            case ARRAY -> {
                JsonNode items = type.schema().get("items");
                if (value.isArray() && items != null && items.isObject()) {
                    ArrayNode out = Json.MAPPER.createArrayNode();
                    value.forEach(item -> out.add(normalized(root, items, item)));
                    return out;
                }
            }
            case OBJECT -> {
                JsonNode properties = type.schema().get("properties");
                if (value.isObject() && properties != null && properties.isObject()) {
                    ObjectNode out = Json.MAPPER.createObjectNode();
                    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> field = it.next();
                        JsonNode property = properties.get(field.getKey());
                        out.set(field.getKey(), property == null ? field.getValue() : normalized(root, property, field.getValue()));
                    }
                    return out;
                }
            }
            default -> { }
        }
        return value;
    }

    private static String describe(Type type) {
        return switch (type.kind()) {
            case INTEGER -> "a whole number";
            case NUMBER -> "a number";
            case BOOLEAN -> "true or false";
            case ARRAY -> "a JSON array";
            case OBJECT -> "a JSON object";
            case NULL -> "null";
            case ENUM -> "one of: " + type.values().stream().map(v -> v.isTextual() ? v.asText() : v.toString())
                    .collect(Collectors.joining(", "));
            case STRING, ANY -> "text";
        };
    }

    private static JsonNode integer(BigInteger value) {
        if (value.bitLength() < 32) return IntNode.valueOf(value.intValue());
        if (value.bitLength() < 64) return LongNode.valueOf(value.longValue());
        return BigIntegerNode.valueOf(value);
    }

    private static boolean same(JsonNode accepted, JsonNode given) {
        if (accepted.isNumber() && given.isNumber()) return accepted.decimalValue().compareTo(given.decimalValue()) == 0;
        return accepted.equals(given);
    }

    private static JsonNode json(String text) {
        try {
            return Json.tree(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("must be valid JSON (" + e.getMessage().replaceFirst("^not JSON: ", "") + ")");
        }
    }

    private static JsonNode jsonOrNull(String text) {
        try {
            return Json.tree(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** {@code $ref} (to #/definitions or #/$defs) and a single allOf followed; null when it leads nowhere. */
    private static JsonNode resolve(JsonNode root, JsonNode node, int depth) {
        JsonNode s = node;
        for (int i = depth; s != null && s.isObject() && i <= MAX_REF_DEPTH; i++) {
            JsonNode ref = s.get("$ref");
            if (ref != null && ref.isTextual()) {
                s = ref.asText().startsWith("#") ? root.at(ref.asText().substring(1)) : null;
                if (s != null && s.isMissingNode()) s = null;
                continue;
            }
            JsonNode allOf = s.get("allOf");
            if (allOf != null && allOf.isArray() && allOf.size() == 1 && !s.has("type") && !s.has("enum")) {
                s = allOf.get(0);
                continue;
            }
            return s;
        }
        return null;
    }
}
