package dev.ferry.cli.project;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ferry.cli.commands.UsageError;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A YAML file read as a JSON tree that remembers the line of every key and list item, so that
 * a refusal can say {@code ferry.yaml:12: deployments[0].work_pool.nmae}. Read token by token:
 * Jackson's tree reader drops locations, and a duplicate key must be an error, not a silent win.
 * JSON is read the same way ({@link #parseJson}), for files that are JSON.
 */
public final class YamlDocument {
    private static final YAMLFactory YAML = YAMLFactory.builder().build();
    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int MAX_DEPTH = 64;

    private final Path file;
    private final String displayName;
    private final JsonNode root;
    private final Map<String, Integer> lines;

    private YamlDocument(Path file, String displayName, JsonNode root, Map<String, Integer> lines) {
        this.file = file;
        this.displayName = displayName;
        this.root = root;
        this.lines = lines;
    }

    public static YamlDocument parse(Path file, String displayName, String text) {
        return parse(file, displayName, text, YAML, "YAML");
    }

    /** {@code text} read as JSON, with the same lines, duplicate-key checks and errors as YAML. */
    public static YamlDocument parseJson(Path file, String displayName, String text) {
        return parse(file, displayName, text, JSON, "JSON");
    }

    private static YamlDocument parse(Path file, String displayName, String text, JsonFactory factory, String format) {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser parser = factory.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) return new YamlDocument(file, displayName, NODES.objectNode(), lines);
            JsonNode root = read(parser, "", lines, 0, displayName);
            if (parser.nextToken() != null) {
                throw new UsageError(displayName + ":" + line(parser) + ": not valid " + format + ": more than one document");
            }
            return new YamlDocument(file, displayName, root, lines);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
            String message = e.getOriginalMessage().strip().replaceAll("\\s*\\n\\s*", "; ");
            throw new UsageError(displayName + (line > 0 ? ":" + line : "") + ": not valid " + format + ": " + message);
        } catch (IOException e) {
            throw new UsageError(displayName + ": cannot read it: " + e.getMessage());
        }
    }

    private static JsonNode read(JsonParser p, String path, Map<String, Integer> lines, int depth, String name)
            throws IOException {
        if (depth > MAX_DEPTH) throw new UsageError(name + ":" + line(p) + ": nested more than " + MAX_DEPTH + " deep");
        JsonToken token = p.currentToken();
        switch (token) {
            case START_OBJECT: {
                ObjectNode object = NODES.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    String child = path.isEmpty() ? key : path + "." + key;
                    if (object.has(key)) {
                        throw new UsageError(name + ":" + line(p) + ": key '" + child + "' appears twice");
                    }
                    lines.put(child, line(p));
                    p.nextToken();
                    object.set(key, read(p, child, lines, depth + 1, name));
                }
                return object;
            }
            case START_ARRAY: {
                ArrayNode array = NODES.arrayNode();
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    String child = path + "[" + i++ + "]";
                    lines.put(child, line(p));
                    array.add(read(p, child, lines, depth + 1, name));
                }
                return array;
            }
            case VALUE_STRING:
                return NODES.textNode(p.getText());
            case VALUE_NUMBER_INT:
                return numberNode(p);
            case VALUE_NUMBER_FLOAT:
                return NODES.numberNode(p.getDecimalValue());
            case VALUE_TRUE:
                return NODES.booleanNode(true);
            case VALUE_FALSE:
                return NODES.booleanNode(false);
            case VALUE_NULL:
                return NODES.nullNode();
            default:
                throw new UsageError(name + ":" + line(p) + ": unexpected " + token + " at " + path);
        }
    }

    private static JsonNode numberNode(JsonParser p) throws IOException {
        switch (p.getNumberType()) {
            case INT:
                return NODES.numberNode(p.getIntValue());
            case LONG:
                return NODES.numberNode(p.getLongValue());
            default:
                return NODES.numberNode(p.getBigIntegerValue());
        }
    }

    private static int line(JsonParser p) {
        return p.currentTokenLocation().getLineNr();
    }

    public JsonNode root() {
        return root;
    }

    Path file() {
        return file;
    }

    String displayName() {
        return displayName;
    }

    /**
     * {@code ferry.yaml:12}, for the key at {@code path} or the nearest enclosing key that has a
     * line (a field the server named may sit inside a value that YAML wrote on one line).
     */
    public String where(String path) {
        String p = path;
        while (p != null && !p.isEmpty()) {
            Integer line = lines.get(p);
            if (line != null) return displayName + ":" + line;
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            p = cut <= 0 ? null : p.substring(0, cut);
        }
        return displayName;
    }

    /** A usage error for the key at {@code path}: {@code ferry.yaml:12: deployments[0].nmae: <message>}. */
    public UsageError error(String path, String message) {
        return new UsageError(where(path) + ": " + (path.isEmpty() ? "" : path + ": ") + message);
    }
}
