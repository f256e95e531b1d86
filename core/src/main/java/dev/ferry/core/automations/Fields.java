package dev.ferry.core.automations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.BadInput;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** Reads one JSON object strictly, naming each field by its path: unknown fields and wrong types are refused. */
final class Fields {
    static final int MAX_TEXT = 1024;
    static final int MAX_PATTERNS = 100;

    private final String at;
    private final ObjectNode node;

    private Fields(String at, ObjectNode node) {
        this.at = at;
        this.node = node;
    }

    static Fields of(String at, JsonNode node, Set<String> accepted) {
        if (node == null || !node.isObject()) throw BadInput.malformed(at, "'" + at + "' must be an object");
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!accepted.contains(name)) {
                throw BadInput.malformed(path(at, name), "unknown field '" + path(at, name) + "'; accepted: "
                        + String.join(", ", new java.util.TreeSet<>(accepted)));
            }
        }
        return new Fields(at, (ObjectNode) node);
    }

    static String path(String at, String name) {
        return at == null || at.isEmpty() ? name : at + "." + name;
    }

    String path(String name) {
        return path(at, name);
    }

    boolean has(String name) {
        return node.hasNonNull(name);
    }

    JsonNode node(String name) {
        return node.get(name);
    }

    String text(String name, String otherwise) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) return otherwise;
        if (!v.isTextual()) throw BadInput.malformed(path(name), "'" + path(name) + "' must be a string");
        String text = v.asText();
        if (text.isEmpty() || text.length() > MAX_TEXT) {
            throw BadInput.invalid(path(name), "'" + path(name) + "' must be 1 to " + MAX_TEXT + " characters");
        }
        if (text.chars().anyMatch(Character::isISOControl)) {
            throw BadInput.invalid(path(name), "'" + path(name) + "' must not hold control characters");
        }
        return text;
    }

    String required(String name) {
        String text = text(name, null);
        if (text == null) throw BadInput.invalid(path(name), "'" + path(name) + "' is required");
        return text;
    }

    long integer(String name, long otherwise, long min, long max) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) return otherwise;
        if (!v.isNumber()) throw BadInput.malformed(path(name), "'" + path(name) + "' must be a number");
        if (!v.isIntegralNumber() && v.asDouble() != Math.rint(v.asDouble())) {
            throw BadInput.invalid(path(name), "'" + path(name) + "' must be a whole number");
        }
        double value = v.asDouble();
        if (value < min || value > max) {
            throw BadInput.invalid(path(name), "'" + path(name) + "' must be between " + min + " and " + max + " (got " + v + ")");
        }
        return (long) value;
    }

    boolean bool(String name, boolean otherwise) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) return otherwise;
        if (!v.isBoolean()) throw BadInput.malformed(path(name), "'" + path(name) + "' must be true or false");
        return v.asBoolean();
    }

    /** A string or a list of strings, as Prefect's event name and label fields take. */
    List<String> patterns(String name) {
        JsonNode v = node.get(name);
        return patterns(path(name), v);
    }

    static List<String> patterns(String field, JsonNode v) {
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) return out;
        if (v.isTextual()) v = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode().add(v.asText());
        if (!v.isArray()) throw BadInput.malformed(field, "'" + field + "' must be a string or a list of strings");
        if (v.size() > MAX_PATTERNS) throw BadInput.invalid(field, "'" + field + "' holds at most " + MAX_PATTERNS + " patterns");
        for (int i = 0; i < v.size(); i++) {
            JsonNode p = v.get(i);
            String at = field + "[" + i + "]";
            if (!p.isTextual()) throw BadInput.malformed(at, "'" + at + "' must be a string");
            if (p.asText().isEmpty() || p.asText().length() > MAX_TEXT) {
                throw BadInput.invalid(at, "'" + at + "' must be 1 to " + MAX_TEXT + " characters");
            }
            out.add(p.asText());
        }
        return out;
    }
}
