package dev.ferry.core.templates;

import io.pebbletemplates.pebble.attributes.AttributeResolver;
import io.pebbletemplates.pebble.attributes.ResolvedAttribute;
import io.pebbletemplates.pebble.error.AttributeNotFoundException;
import io.pebbletemplates.pebble.error.PebbleException;
import io.pebbletemplates.pebble.node.ArgumentsNode;
import io.pebbletemplates.pebble.template.EvaluationContextImpl;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The only way a template reads into a value: keys of objects, indexes of lists (negative ones
 * count from the end, as in Jinja), {@code key} and {@code value} of a map entry in a loop.
 * Pebble's own resolver (getters and methods found by reflection) is removed from the engine, so
 * {@code event.getClass()} or {@code _self.name} reach no Java method at all.
 */
final class JsonAttributes implements AttributeResolver {
    @Override
    public ResolvedAttribute resolve(Object instance, Object attribute, Object[] arguments, ArgumentsNode args,
                                     EvaluationContextImpl context, String filename, int line) {
        String name = String.valueOf(attribute);
        if (arguments != null) {
            throw new PebbleException(null, "'" + name + "(...)': templates cannot call methods; "
                    + "use filters such as upper, lower, default, tojson instead", line, null);
        }
        if (instance instanceof Map<?, ?> map) {
            if (map.containsKey(name)) return new ResolvedAttribute(map.get(name));
            throw new AttributeNotFoundException(null, "'" + name + "' is not defined; the object has "
                    + keys(map), name, line, null);
        }
        if (instance instanceof List<?> list) {
            Long index = index(attribute);
            if (index == null) {
                throw new AttributeNotFoundException(null, "a list has no attribute '" + name
                        + "'; index it with a number, e.g. [0]", name, line, null);
            }
            long at = index < 0 ? list.size() + index : index;
            if (at < 0 || at >= list.size()) {
                throw new AttributeNotFoundException(null, "index " + index + " is out of range for a list of "
                        + list.size(), name, line, null);
            }
            return new ResolvedAttribute(list.get((int) at));
        }
        if (instance instanceof Map.Entry<?, ?> entry) {
            if (name.equals("key")) return new ResolvedAttribute(entry.getKey());
            if (name.equals("value")) return new ResolvedAttribute(entry.getValue());
        }
        throw new AttributeNotFoundException(null, kind(instance) + " has no attribute '" + name + "'", name, line, null);
    }

    private static Long index(Object attribute) {
        if (attribute instanceof Number number) return number.longValue();
        if (attribute instanceof String text && text.matches("-?\\d{1,9}")) return Long.parseLong(text);
        return null;
    }

    private static String keys(Map<?, ?> map) {
        if (map.isEmpty()) return "no keys";
        String shown = map.keySet().stream().limit(10).map(key -> "'" + key + "'").collect(Collectors.joining(", "));
        return (map.size() > 10 ? "keys " + shown + ", ..." : "keys " + shown);
    }

    static String kind(Object value) {
        if (value instanceof CharSequence) return "a string";
        if (value instanceof Number) return "a number";
        if (value instanceof Boolean) return "a boolean";
        if (value instanceof Map) return "an object";
        if (value instanceof List) return "a list";
        return "a value of this kind";
    }
}
