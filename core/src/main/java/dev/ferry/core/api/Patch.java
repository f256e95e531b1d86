package dev.ferry.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Json;
import java.util.Set;
import java.util.TreeSet;

/**
 * A PATCH body, where a field set to null ("clear it") differs from a field left out
 * ("keep it"), which records can't tell apart.
 */
final class Patch {
    private final ObjectNode body;

    private Patch(ObjectNode body) {
        this.body = body;
    }

    static Patch read(byte[] bytes, Set<String> allowed) {
        JsonNode node = Json.read(bytes, JsonNode.class);
        if (!(node instanceof ObjectNode object)) throw BadInput.malformed(null, "request body must be a JSON object");
        object.fieldNames().forEachRemaining(name -> {
            if (!allowed.contains(name)) {
                throw BadInput.malformed(name, "unknown field '" + name + "'; accepted: " + String.join(", ", new TreeSet<>(allowed)));
            }
        });
        return new Patch(object);
    }

    boolean has(String field) {
        return body.has(field);
    }

    String text(String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw BadInput.malformed(field, "field '" + field + "' has the wrong type; expected a string");
        return v.asText();
    }

    Integer integer(String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw BadInput.malformed(field, "field '" + field + "' has the wrong type; expected an integer");
        }
        return v.asInt();
    }

    Boolean bool(String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isBoolean()) throw BadInput.malformed(field, "field '" + field + "' has the wrong type; expected a boolean");
        return v.asBoolean();
    }

    ObjectNode object(String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isObject()) throw BadInput.malformed(field, "field '" + field + "' has the wrong type; expected a JSON object");
        return (ObjectNode) v;
    }

    /** A list of JSON objects (an automation's actions), or null when absent. */
    java.util.List<ObjectNode> objects(String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isArray()) throw BadInput.malformed(field, "field '" + field + "' has the wrong type; expected a list of objects");
        java.util.List<ObjectNode> out = new java.util.ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isObject()) {
                throw BadInput.malformed(field + "[" + i + "]", "field '" + field + "[" + i + "]' has the wrong type; expected a JSON object");
            }
            out.add((ObjectNode) v.get(i));
        }
        return out;
    }
}
