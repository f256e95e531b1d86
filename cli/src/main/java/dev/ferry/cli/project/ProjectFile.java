package dev.ferry.cli.project;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.ferry.cli.commands.UsageError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A ferry.yaml: the project's name, the pull steps its deployments share, and its deployments.
 * Every key is checked when it is read; a key Ferry doesn't know is refused with its line, since
 * a misspelt {@code shedules:} silently ignored is a deployment that never runs.
 */
public final class ProjectFile {
    public static final String FILE_NAME = "ferry.yaml";

    enum Kind { TEXT, INT, BOOL, OBJECT, LIST, TEXT_LIST, OBJECT_LIST, ANY }

    static final Map<String, Kind> TOP = ordered("name", Kind.TEXT, "pull", Kind.LIST, "deployments", Kind.LIST);

    static final Map<String, Kind> DEPLOYMENT = ordered(
            "name", Kind.TEXT, "entrypoint", Kind.TEXT, "flow_name", Kind.TEXT, "description", Kind.TEXT,
            "version", Kind.TEXT, "tags", Kind.TEXT_LIST, "parameters", Kind.OBJECT, "work_pool", Kind.OBJECT,
            "schedules", Kind.OBJECT_LIST, "concurrency_limit", Kind.ANY, "pull", Kind.LIST,
            "enforce_parameter_schema", Kind.BOOL, "retries", Kind.INT, "retry_delay_seconds", Kind.INT,
            "paused", Kind.BOOL, "triggers", Kind.OBJECT_LIST);

    static final Map<String, Kind> WORK_POOL = ordered("name", Kind.TEXT, "work_queue_name", Kind.TEXT,
            "job_variables", Kind.OBJECT);

    static final Map<String, Kind> CONCURRENCY = ordered("limit", Kind.INT, "collision_strategy", Kind.TEXT);

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /** One deployment of the file: its position (for messages) and its keys as written. */
    public record Entry(int index, String name, String entrypoint, JsonNode node) {
        String path() {
            return "deployments[" + index + "]";
        }
    }

    private final YamlDocument doc;
    private final List<Entry> deployments;

    private ProjectFile(YamlDocument doc, List<Entry> deployments) {
        this.doc = doc;
        this.deployments = deployments;
    }

    /** Reads and checks {@code file}; {@code shownAs} is how messages name it. */
    public static ProjectFile read(Path file, String shownAs) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UsageError(shownAs + ": cannot read it (" + e.getMessage() + ")");
        }
        return parse(file, shownAs, text);
    }

    static ProjectFile parse(Path file, String shownAs, String text) {
        YamlDocument doc = YamlDocument.parse(file, shownAs, text);
        JsonNode root = doc.root();
        if (!root.isObject()) throw doc.error("", "the file must be a mapping with keys " + String.join(", ", TOP.keySet()));
        checkKeys(doc, root, "", TOP, "ferry.yaml");
        List<Entry> entries = new ArrayList<>();
        JsonNode list = root.path("deployments");
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "deployments[" + i + "]";
            JsonNode d = list.get(i);
            if (!d.isObject()) throw doc.error(at, "a deployment is a mapping with keys like name, entrypoint, work_pool");
            checkKeys(doc, d, at, DEPLOYMENT, "a deployment");
            for (String required : List.of("name", "entrypoint")) {
                if (!d.hasNonNull(required) || d.get(required).asText().isBlank()) {
                    throw doc.error(at, "'" + required + "' is required");
                }
            }
            String name = d.get("name").asText();
            if (!NAME.matcher(name).matches()) {
                throw doc.error(at + ".name", "'" + name + "' is not a deployment name (letters, digits, '.', '_', '-')");
            }
            if (d.has("work_pool")) checkKeys(doc, d.get("work_pool"), at + ".work_pool", WORK_POOL, "work_pool");
            JsonNode limit = d.get("concurrency_limit");
            if (limit != null && !limit.isNull()) {
                if (limit.isObject()) {
                    checkKeys(doc, limit, at + ".concurrency_limit", CONCURRENCY, "concurrency_limit");
                    if (!limit.has("limit")) throw doc.error(at + ".concurrency_limit", "'limit' is required");
                } else if (!limit.isIntegralNumber()) {
                    throw doc.error(at + ".concurrency_limit", "must be a number or {limit: N, collision_strategy: "
                            + "ENQUEUE|CANCEL_NEW}");
                }
            }
            String entrypoint = d.get("entrypoint").asText();
            String key = flowOf(entrypoint) + "/" + name;
            Integer before = seen.put(key + "|" + d.path("flow_name").asText(""), i);
            if (before != null) {
                throw doc.error(at + ".name", "deployment '" + name + "' of " + entrypoint + " is already declared as "
                        + "deployments[" + before + "] (" + doc.where("deployments[" + before + "]") + ")");
            }
            entries.add(new Entry(i, name, entrypoint, d));
        }
        return new ProjectFile(doc, List.copyOf(entries));
    }

    private static String flowOf(String entrypoint) {
        return entrypoint.substring(entrypoint.lastIndexOf(':') + 1);
    }

    static void checkKeys(YamlDocument doc, JsonNode node, String at, Map<String, Kind> allowed, String what) {
        if (!node.isObject()) throw doc.error(at, "must be a mapping of " + String.join(", ", allowed.keySet()));
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = at.isEmpty() ? e.getKey() : at + "." + e.getKey();
            Kind kind = allowed.get(e.getKey());
            if (kind == null) {
                throw doc.error(path, "unknown key '" + e.getKey() + "'; " + what + " takes: "
                        + String.join(", ", allowed.keySet()));
            }
            JsonNode v = e.getValue();
            if (v.isNull()) continue;
            String problem = null;
            switch (kind) {
                case TEXT:
                    if (!v.isTextual() && !v.isNumber()) problem = "must be text";
                    break;
                case INT:
                    if (!v.isIntegralNumber()) problem = "must be a whole number";
                    break;
                case BOOL:
                    if (!v.isBoolean()) problem = "must be true or false";
                    break;
                case OBJECT:
                    if (!v.isObject()) problem = "must be a mapping";
                    break;
                case LIST:
                    if (!v.isArray()) problem = "must be a list";
                    break;
                case TEXT_LIST:
                    if (!v.isArray()) problem = "must be a list of text";
                    else for (int i = 0; i < v.size(); i++) {
                        if (!v.get(i).isTextual()) throw doc.error(path + "[" + i + "]", "must be text");
                    }
                    break;
                case OBJECT_LIST:
                    if (!v.isArray()) problem = "must be a list of mappings";
                    else for (int i = 0; i < v.size(); i++) {
                        if (!v.get(i).isObject()) throw doc.error(path + "[" + i + "]", "must be a mapping");
                    }
                    break;
                default:
                    break;
            }
            if (problem != null) throw doc.error(path, problem);
        }
    }

    /** The file at {@code explicit}, else ferry.yaml in {@code cwd} or a parent up to the repository root. */
    public static Path locate(Path explicit, Path cwd, Path repoRoot) {
        if (explicit != null) {
            Path file = cwd.resolve(explicit).normalize();
            if (!Files.isRegularFile(file)) throw new UsageError("--file " + explicit + ": no such file");
            return file;
        }
        Path dir = cwd;
        while (dir != null) {
            Path file = dir.resolve(FILE_NAME);
            if (Files.isRegularFile(file)) return file;
            if (repoRoot == null || dir.equals(repoRoot)) break;
            dir = dir.getParent();
        }
        return null;
    }

    YamlDocument document() {
        return doc;
    }

    public Path file() {
        return doc.file();
    }

    public List<Entry> deployments() {
        return deployments;
    }

    /** The shared pull steps: the top-level {@code pull}, or an empty list. */
    ArrayNode pull() {
        JsonNode pull = doc.root().get("pull");
        return pull != null && pull.isArray() ? (ArrayNode) pull : JsonNodeFactory.instance.arrayNode();
    }

    boolean hasTopLevelPull() {
        return doc.root().path("pull").isArray();
    }

    UsageError error(String path, String message) {
        return doc.error(path, message);
    }

    String where(String path) {
        return doc.where(path);
    }

    private static Map<String, Kind> ordered(Object... pairs) {
        Map<String, Kind> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) map.put((String) pairs[i], (Kind) pairs[i + 1]);
        return map;
    }
}
