package dev.ferry.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/** Files at the repository root that the functions module is tested against: template.yaml and events/. */
final class Repo {
    private Repo() {}

    static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("template.yaml")) && Files.isDirectory(dir.resolve("events"))) return dir;
        }
        throw new IllegalStateException("no template.yaml with an events/ folder beside it above " + Path.of("").toAbsolutePath());
    }

    /**
     * template.yaml as a tree. CloudFormation's short tags ({@code !Ref X}, {@code !Sub ...},
     * {@code !If [...]}) are read as their plain value: the tag is dropped, the argument kept,
     * which is all the checks on names and keys need.
     */
    static JsonNode template() {
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(root().resolve("template.yaml").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every sample event, by file name. */
    static List<Path> events() {
        try (Stream<Path> files = Files.list(root().resolve("events"))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The template's function an event is for, by naming rule: the file name starts with the
     * function's name in kebab case, without "Function" ({@code api-*.json} for ApiFunction,
     * {@code janitor-*.json} for JanitorFunction, {@code ecs-events-*.json} for EcsEventsFunction).
     * The longest match wins; null when no function matches.
     */
    static String functionOf(Path event, Collection<String> functions) {
        String file = event.getFileName().toString();
        String best = null;
        for (String function : functions) {
            String prefix = kebab(function.replaceFirst("Function$", "")) + "-";
            if (file.startsWith(prefix) && (best == null || function.length() > best.length())) best = function;
        }
        return best;
    }

    /** The names of template.yaml's functions. */
    static Set<String> functions() {
        Set<String> names = new TreeSet<>();
        template().path("Resources").fields().forEachRemaining(e -> {
            if ("AWS::Serverless::Function".equals(e.getValue().path("Type").asText())) names.add(e.getKey());
        });
        return names;
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
