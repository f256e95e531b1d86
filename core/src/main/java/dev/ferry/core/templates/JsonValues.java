package dev.ferry.core.templates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.Json;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON to the plain values Pebble's filters and operators know (String, Long, Double, Boolean,
 * Map, List, null) and back. Numbers go in as Long or Double only: Pebble widens to BigDecimal
 * when either side is one, and a {@code set} that squares a BigDecimal in a loop grows without
 * bound.
 */
final class JsonValues {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonValues() {}

    static Object toPlain(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) return null;
        if (node.isTextual()) return node.textValue();
        if (node.isBoolean()) return node.booleanValue();
        if (node.isIntegralNumber() && node.canConvertToLong()) return node.longValue();
        if (node.isNumber()) return node.doubleValue();
        if (node.isObject()) {
            JsonMap map = new JsonMap();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                map.put(field.getKey(), toPlain(field.getValue()));
            }
            return map;
        }
        if (node.isArray()) {
            JsonList list = new JsonList(node.size());
            for (JsonNode element : node) list.add(toPlain(element));
            return list;
        }
        return node.asText();
    }

    /** A value a template produced, as JSON; anything that is not JSON-shaped becomes its text. */
    static JsonNode toJson(Object value) throws NotJson {
        if (value == null) return NODES.nullNode();
        if (value instanceof CharSequence text) return NODES.textNode(text.toString());
        if (value instanceof Boolean bool) return NODES.booleanNode(bool);
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            // as Jackson reads it: an int when it fits, so a rendered 3 equals a parsed 3
            long number = ((Number) value).longValue();
            return number == (int) number ? NODES.numberNode((int) number) : NODES.numberNode(number);
        }
        if (value instanceof BigInteger big) return NODES.numberNode(big);
        if (value instanceof BigDecimal big) return NODES.numberNode(big);
        if (value instanceof Double || value instanceof Float) {
            double number = ((Number) value).doubleValue();
            if (!Double.isFinite(number)) throw new NotJson("the expression gave " + number + ", which is not a JSON number");
            return NODES.numberNode(number);
        }
        if (value instanceof Number number) return NODES.numberNode(number.longValue());
        if (value instanceof Map<?, ?> map) {
            ObjectNode object = NODES.objectNode();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                object.set(String.valueOf(entry.getKey()), toJson(entry.getValue()));
            }
            return object;
        }
        if (value instanceof Iterable<?> iterable) {
            ArrayNode array = NODES.arrayNode();
            for (Object element : iterable) array.add(toJson(element));
            return array;
        }
        if (value instanceof Object[] elements) {
            ArrayNode array = NODES.arrayNode();
            for (Object element : elements) array.add(toJson(element));
            return array;
        }
        return NODES.textNode(String.valueOf(value));
    }

    /** A value that has no JSON form (NaN, infinity). */
    static final class NotJson extends Exception {
        NotJson(String reason) {
            super(reason, null, false, false);
        }
    }

    // Printed inside a larger string, an object reads as JSON ({"a":1}), not as Java's {a=1}.
    static final class JsonMap extends LinkedHashMap<Object, Object> {
        JsonMap() {}

        JsonMap(Map<?, ?> map) {
            super(map);
        }

        @Override
        public String toString() {
            return text(this);
        }
    }

    static final class JsonList extends ArrayList<Object> {
        JsonList(int capacity) {
            super(capacity);
        }

        JsonList(List<?> list) {
            super(list);
        }

        @Override
        public String toString() {
            return text(this);
        }
    }

    private static String text(Object value) {
        try {
            return Json.string(toJson(value));
        } catch (NotJson e) {
            return String.valueOf(value);
        }
    }
}
