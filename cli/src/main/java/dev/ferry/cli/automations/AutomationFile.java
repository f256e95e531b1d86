package dev.ferry.cli.automations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.commands.UsageError;
import dev.ferry.cli.project.YamlDocument;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * One automation document, as {@code ferry automation create -f} reads it: YAML or JSON in the
 * API's shape. Only the top-level keys are checked here, so that none is dropped unseen by an
 * update; what the trigger and actions mean is the server's to judge, and it names the field.
 */
final class AutomationFile {
    static final List<String> KEYS = List.of("name", "description", "enabled", "trigger", "actions");

    private final String shownAs;
    private final ObjectNode document;

    private AutomationFile(String shownAs, ObjectNode document) {
        this.shownAs = shownAs;
        this.document = document;
    }

    /** {@code file} ({@code -} for stdin), read and checked; a usage error naming it when it is not one automation. */
    static AutomationFile read(String file, InputStream stdin) {
        boolean fromStdin = "-".equals(file);
        String shownAs = fromStdin ? "stdin" : file;
        String text;
        try {
            text = fromStdin ? new String(stdin.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UsageError("-f " + file + ": no such file");
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new UsageError("-f " + shownAs + ": cannot read it (" + e.getMessage() + ")");
        }
        return parse(shownAs, text);
    }

    static AutomationFile parse(String shownAs, String text) {
        if (text.isBlank()) {
            throw new UsageError(shownAs + ": is empty; expected one automation with keys " + String.join(", ", KEYS));
        }
        YamlDocument doc = document(shownAs, text);
        JsonNode root = doc.root();
        if (!(root instanceof ObjectNode object)) {
            throw doc.error("", "must be one automation, a mapping with keys " + String.join(", ", KEYS) + " (got "
                    + root.getNodeType().toString().toLowerCase(Locale.ROOT) + ")");
        }
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw doc.error(key, "unknown key '" + key + "'; an automation takes: " + String.join(", ", KEYS));
            }
        }
        JsonNode name = object.get("name");
        if (name == null || !name.isTextual() || name.asText().isBlank()) {
            throw doc.error(name == null ? "" : "name", "'name' is required: the automation's name, like nightly-report-after-load");
        }
        return new AutomationFile(shownAs, object);
    }

    /**
     * JSON when the file says so by its name, YAML when it says that; else by its content: what
     * starts like JSON is read as JSON, falling back to YAML (whose flow style also starts with a brace).
     */
    private static YamlDocument document(String shownAs, String text) {
        String lower = shownAs.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".json")) return YamlDocument.parseJson(null, shownAs, text);
        if (lower.endsWith(".yaml") || lower.endsWith(".yml")) return YamlDocument.parse(null, shownAs, text);
        String start = text.stripLeading();
        if (start.startsWith("{") || start.startsWith("[")) {
            try {
                return YamlDocument.parseJson(null, shownAs, text);
            } catch (UsageError notJson) {
                try {
                    return YamlDocument.parse(null, shownAs, text);
                } catch (UsageError notYamlEither) {
                    throw notJson;
                }
            }
        }
        return YamlDocument.parse(null, shownAs, text);
    }

    String shownAs() {
        return shownAs;
    }

    String name() {
        return document.get("name").asText();
    }

    /** The body of {@code POST /api/automations}: the document as written. */
    ObjectNode create() {
        return document.deepCopy();
    }

    /**
     * The body of the {@code PATCH} that makes the automation of this name what the file says:
     * description, trigger and actions replaced (a description left out is cleared); enabled only
     * when the file gives it, so updating a paused automation does not resume it unasked.
     */
    ObjectNode replacement() {
        ObjectNode patch = document.objectNode();
        patch.set("description", document.hasNonNull("description") ? document.get("description") : document.nullNode());
        if (document.has("enabled")) patch.set("enabled", document.get("enabled"));
        if (document.has("trigger")) patch.set("trigger", document.get("trigger"));
        if (document.has("actions")) patch.set("actions", document.get("actions"));
        return patch;
    }
}
