package dev.ferry.core.templates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Json;
import io.pebbletemplates.pebble.template.PebbleTemplate;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JSON value whose strings are templates, checked once, rendered many times. The language is
 * Jinja's as Prefect users write it ({@code {{ event.resource['ferry.resource.name'] }}},
 * {@code {{ flow_run.name | upper }}}, {@code {% if %}}), run by a Pebble engine that can reach
 * nothing but the JSON it is given (see {@link Sandbox}).
 *
 * <p>A string that is exactly one expression keeps the expression's JSON type, so
 * {@code "{{ event.payload.count }}"} renders to the number 3 and not to "3"; any other template
 * string renders to a string, and a string with neither {@code {{} nor {@code {%} is kept as it is.
 * Object keys are never templates.
 */
public final class JsonTemplate {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    // {{ expr }} and nothing else; the expression itself holds no further tag
    private static final Pattern SINGLE = Pattern.compile("\\{\\{-?(.*?)-?}}", Pattern.DOTALL);

    private final JsonNode source;
    private final Part root;

    private JsonTemplate(JsonNode source, Part root) {
        this.source = source;
        this.root = root;
    }

    /**
     * Parses every string in {@code template} (objects and arrays are walked; keys are not
     * templates). A syntax error, or a string longer than 16 KiB, is a {@link BadInput} naming the
     * exact place, e.g. {@code actions[0].parameters.branch}.
     */
    public static JsonTemplate compile(String field, JsonNode template) {
        JsonNode copy = template == null ? NODES.nullNode() : template.deepCopy();
        return new JsonTemplate(copy, part(field == null ? "" : field, copy));
    }

    /**
     * Renders against {@code context}, a JSON object whose top-level fields are the template
     * variables (e.g. {@code {"event": ..., "automation": ..., "firing": ...}}). Returns a new
     * value; neither the template nor the context is changed.
     */
    public JsonNode render(ObjectNode context) throws TemplateFailure {
        Map<String, Object> variables = new HashMap<>();
        if (context != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = context.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                variables.put(field.getKey(), JsonValues.toPlain(field.getValue()));
            }
        }
        return root.render(variables);
    }

    /** The template as it was given. */
    public JsonNode source() {
        return source.deepCopy();
    }

    private static Part part(String path, JsonNode node) {
        if (node.isTextual()) return text(path, node);
        if (node.isObject()) {
            List<Map.Entry<String, Part>> fields = new ArrayList<>();
            boolean templated = false;
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                Part part = part(child(path, field.getKey()), field.getValue());
                templated |= !(part instanceof Literal);
                fields.add(Map.entry(field.getKey(), part));
            }
            return templated ? new Fields(fields) : new Literal(node);
        }
        if (node.isArray()) {
            List<Part> elements = new ArrayList<>();
            boolean templated = false;
            for (int i = 0; i < node.size(); i++) {
                Part part = part(path + "[" + i + "]", node.get(i));
                templated |= !(part instanceof Literal);
                elements.add(part);
            }
            return templated ? new Elements(elements) : new Literal(node);
        }
        return new Literal(node);
    }

    private static Part text(String path, JsonNode node) {
        String source = node.textValue();
        if (!source.contains("{{") && !source.contains("{%")) return new Literal(node);
        int bytes = source.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > Sandbox.MAX_SOURCE_BYTES) {
            throw BadInput.invalid(path, "'" + path + "' is a template of " + bytes + " bytes; at most "
                    + Sandbox.MAX_SOURCE_BYTES + " are allowed");
        }
        PebbleTemplate compiled;
        try {
            compiled = Sandbox.compile(source);
        } catch (Sandbox.Refused e) {
            throw BadInput.invalid(path, "'" + path + "' is not a valid template: " + e.getMessage());
        }
        Matcher single = SINGLE.matcher(source);
        if (single.matches() && isPlainExpression(single.group(1))) {
            try {
                return new Value(path, source, Sandbox.compile("{{ " + Sandbox.CAPTURE + "(" + single.group(1) + ") }}"));
            } catch (Sandbox.Refused e) {
                // an expression that parses alone but not as an argument (none is known): render it as text
            }
        }
        return new Text(path, source, compiled);
    }

    private static boolean isPlainExpression(String inner) {
        return !inner.isBlank() && !inner.contains("}}") && !inner.contains("{{")
                && !inner.contains("{%") && !inner.contains("%}") && !inner.contains("{#");
    }

    private static String child(String path, String key) {
        boolean plain = key.matches("[A-Za-z_][A-Za-z0-9_-]*");
        if (path.isEmpty()) return plain ? key : "['" + key + "']";
        return plain ? path + "." + key : path + "['" + key + "']";
    }

    private sealed interface Part permits Literal, Text, Value, Fields, Elements {
        JsonNode render(Map<String, Object> variables) throws TemplateFailure;
    }

    private record Literal(JsonNode node) implements Part {
        @Override
        public JsonNode render(Map<String, Object> variables) {
            return node.deepCopy();
        }
    }

    private record Text(String path, String source, PebbleTemplate template) implements Part {
        @Override
        public JsonNode render(Map<String, Object> variables) throws TemplateFailure {
            try {
                return NODES.textNode((String) Sandbox.render(template, source, variables, false));
            } catch (Sandbox.Refused e) {
                throw new TemplateFailure(path, e.getMessage());
            }
        }
    }

    private record Value(String path, String source, PebbleTemplate template) implements Part {
        @Override
        public JsonNode render(Map<String, Object> variables) throws TemplateFailure {
            JsonNode value;
            try {
                value = JsonValues.toJson(Sandbox.render(template, source, variables, true));
            } catch (Sandbox.Refused | JsonValues.NotJson e) {
                throw new TemplateFailure(path, e.getMessage());
            }
            long size = value.isTextual() ? value.textValue().length()
                    : value.isContainerNode() ? Json.bytes(value).length : 0;
            if (size > Budget.MAX_CHARS) {
                throw new TemplateFailure(path, "the rendered value is " + size + (value.isTextual() ? " characters" : " bytes of JSON")
                        + " long; at most " + Budget.MAX_CHARS + " are allowed");
            }
            return value;
        }
    }

    private record Fields(List<Map.Entry<String, Part>> fields) implements Part {
        @Override
        public JsonNode render(Map<String, Object> variables) throws TemplateFailure {
            ObjectNode object = NODES.objectNode();
            for (Map.Entry<String, Part> field : fields) object.set(field.getKey(), field.getValue().render(variables));
            return object;
        }
    }

    private record Elements(List<Part> elements) implements Part {
        @Override
        public JsonNode render(Map<String, Object> variables) throws TemplateFailure {
            ArrayNode array = NODES.arrayNode();
            for (Part element : elements) array.add(element.render(variables));
            return array;
        }
    }
}
