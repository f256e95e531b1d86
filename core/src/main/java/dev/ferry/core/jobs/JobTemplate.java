package dev.ferry.core.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pool's base job template: {@code job_configuration} with {@code {{ variable }}}
 * placeholders, and a {@code variables} JSON schema with defaults. A string that is exactly
 * one placeholder takes the variable's JSON value (so numbers and objects keep their type);
 * placeholders inside longer strings are replaced by the value's text.
 */
public final class JobTemplate {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*}}");

    private JobTemplate() {}

    public static ObjectNode configuration(ObjectNode template) {
        JsonNode config = template.get("job_configuration");
        return config instanceof ObjectNode o ? o : JsonNodeFactory.instance.objectNode();
    }

    public static ObjectNode variablesSchema(ObjectNode template) {
        JsonNode schema = template.get("variables");
        return schema instanceof ObjectNode o ? o : JsonNodeFactory.instance.objectNode();
    }

    /** The {@code default} of every variable that declares one. */
    public static ObjectNode defaults(ObjectNode template) {
        ObjectNode defaults = JsonNodeFactory.instance.objectNode();
        JsonNode properties = variablesSchema(template).path("properties");
        for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().has("default")) {
                defaults.set(e.getKey(), e.getValue().get("default").deepCopy());
            }
        }
        return defaults;
    }

    public static ObjectNode render(ObjectNode template, ObjectNode variables) {
        return (ObjectNode) renderNode(configuration(template), variables);
    }

    private static JsonNode renderNode(JsonNode node, ObjectNode variables) {
        if (node.isTextual()) {
            String text = node.asText();
            Matcher whole = PLACEHOLDER.matcher(text);
            if (whole.matches()) {
                JsonNode value = variables.get(whole.group(1));
                return value == null ? NullNode.instance : value.deepCopy();
            }
            Matcher m = PLACEHOLDER.matcher(text);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                JsonNode value = variables.get(m.group(1));
                String replacement = value == null || value.isNull() ? "" : value.isTextual() ? value.asText() : value.toString();
                m.appendReplacement(out, Matcher.quoteReplacement(replacement));
            }
            m.appendTail(out);
            return TextNode.valueOf(out.toString());
        }
        if (node.isObject()) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            node.fields().forEachRemaining(e -> copy.set(e.getKey(), renderNode(e.getValue(), variables)));
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode();
            node.forEach(item -> copy.add(renderNode(item, variables)));
            return copy;
        }
        return node.deepCopy();
    }

    /** {@code over} merged onto {@code base}: objects merge key by key, anything else replaces. */
    public static ObjectNode merge(ObjectNode base, ObjectNode over) {
        ObjectNode result = base == null ? JsonNodeFactory.instance.objectNode() : base.deepCopy();
        if (over == null) return result;
        over.fields().forEachRemaining(e -> {
            JsonNode mine = result.get(e.getKey());
            if (mine instanceof ObjectNode mineObject && e.getValue() instanceof ObjectNode theirs) {
                result.set(e.getKey(), merge(mineObject, theirs));
            } else {
                result.set(e.getKey(), e.getValue().deepCopy());
            }
        });
        return result;
    }
}
