package dev.ferry.cli.flows;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Reads a flow function's parameters as a JSON Schema, and its {@code @flow(...)} settings, for
 * {@code ferry deploy}.
 *
 * <p>The work is done by the bundled {@code ferry_signature.py}, which parses the file
 * without importing it: deploying must not run the flow's top-level code, nor need its
 * dependencies installed.
 */
public final class FlowSignature {
    static final long TIMEOUT_SECONDS = 30;

    private static final String EXPECTED = "expected path/to/file.py:function_name, e.g. flows/my_flow.py:my_flow";

    // Valid identifiers that Python still refuses as a def name.
    private static final Set<String> PYTHON_KEYWORDS = Set.of(
            "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class",
            "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global",
            "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise",
            "return", "try", "while", "with", "yield");

    private FlowSignature() {}

    /**
     * The parameter schema of {@code entrypoint}'s function, its path resolved against
     * {@code repoRootOrCwd}.
     *
     * @throws IllegalArgumentException when the entrypoint is malformed, the file or function
     *     cannot be read, or Python cannot be started; the message says which, for the user
     */
    public static ObjectNode read(Path repoRootOrCwd, String entrypoint) {
        return describe(repoRootOrCwd, entrypoint).parameters();
    }

    /**
     * What the flow's source says of it. Settings are null where the decorator does not give them
     * as literals; {@code description} falls back to the function's docstring.
     *
     * @param parameters the JSON Schema of the function's parameters
     * @param name {@code @flow(name=...)}
     * @param retryDelaySeconds {@code @flow(retry_delay_seconds=...)}, rounded up to whole seconds
     * @param timeoutSeconds {@code @flow(timeout_seconds=...)}; the ferry module applies it when the flow runs
     */
    public record Described(ObjectNode parameters, String name, String description, Integer retries,
                            Integer retryDelaySeconds, Double timeoutSeconds) {}

    /** The parameter schema and flow settings of {@code entrypoint}'s function; throws as {@link #read} does. */
    public static Described describe(Path repoRootOrCwd, String entrypoint) {
        Entrypoint parsed = Entrypoint.parse(entrypoint);
        List<String> command = List.of(PythonScripts.python(), PythonScripts.signature().toString(),
                parsed.path(), parsed.function());
        Result result = run(command, repoRootOrCwd, entrypoint);
        if (result.exitCode() != 0) {
            throw new IllegalArgumentException(failureMessage(entrypoint, result));
        }
        try {
            JsonNode described = Json.MAPPER.readTree(result.stdout());
            if (described != null && described.get("parameters") instanceof ObjectNode schema) {
                JsonNode flow = described.path("flow");
                JsonNode delay = flow.path("retry_delay_seconds");
                return new Described(schema, text(flow.path("name")), text(flow.path("description")),
                        flow.path("retries").canConvertToInt() ? flow.path("retries").asInt() : null,
                        delay.isNumber() ? (int) Math.ceil(delay.asDouble()) : null,
                        flow.path("timeout_seconds").isNumber() ? flow.path("timeout_seconds").asDouble() : null);
            }
        } catch (JsonProcessingException e) {
            // fall through: the same message covers empty and garbled output
        }
        throw new IllegalArgumentException("reading the parameters of " + entrypoint
                + " produced no JSON schema; " + PythonScripts.python() + " printed: " + abbreviate(result.stdout()));
    }

    private static String text(JsonNode value) {
        return value.isTextual() && !value.asText().isBlank() ? value.asText() : null;
    }

    /** The flow name a deployment gets by default: the function name with {@code _} written as {@code -}. */
    public static String flowName(String function) {
        return function.replace('_', '-');
    }

    /** Throws {@link IllegalArgumentException} unless {@code entrypoint} has the form {@code path/file.py:function}. */
    public static void checkEntrypoint(String entrypoint) {
        Entrypoint.parse(entrypoint);
    }

    record Entrypoint(String path, String function) {
        static Entrypoint parse(String entrypoint) {
            if (entrypoint == null || entrypoint.isBlank()) {
                throw new IllegalArgumentException("the flow entrypoint is empty; " + EXPECTED);
            }
            int colon = entrypoint.indexOf(':');
            if (colon < 0) {
                throw bad(entrypoint, "has no ':' before the function name");
            }
            if (colon != entrypoint.lastIndexOf(':')) {
                throw bad(entrypoint, "has more than one ':'");
            }
            String path = entrypoint.substring(0, colon);
            String function = entrypoint.substring(colon + 1);
            if (!path.endsWith(".py") || path.length() == ".py".length() || path.endsWith("/.py")) {
                throw bad(entrypoint, "does not name a .py file before the ':'");
            }
            if (!isIdentifier(function) || PYTHON_KEYWORDS.contains(function)) {
                throw bad(entrypoint, function.isEmpty()
                        ? "has no function name after the ':'"
                        : "has '" + function + "' after the ':', which is not a Python function name");
            }
            return new Entrypoint(path, function);
        }

        private static IllegalArgumentException bad(String entrypoint, String problem) {
            return new IllegalArgumentException("entrypoint '" + entrypoint + "' " + problem + "; " + EXPECTED);
        }

        private static boolean isIdentifier(String name) {
            if (name.isEmpty()) {
                return false;
            }
            int first = name.codePointAt(0);
            if (first != '_' && !Character.isUnicodeIdentifierStart(first)) {
                return false;
            }
            return name.codePoints().skip(1).allMatch(c -> c == '_' || Character.isUnicodeIdentifierPart(c)
                    && !Character.isIdentifierIgnorable(c));
        }
    }

    private record Result(int exitCode, String stdout, String stderr) {}

    private static Result run(List<String> command, Path workingDir, String entrypoint) {
        Process process;
        try {
            process = new ProcessBuilder(command).directory(workingDir.toFile()).start();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot start Python ('" + PythonScripts.python()
                    + "') to read the parameters of " + entrypoint
                    + "; install Python 3.8+ or set FERRY_PYTHON to its path (" + e.getMessage() + ")", e);
        }
        closeStdin(process);
        // Both pipes drained at once: a full stderr pipe would otherwise stall the script forever.
        CompletableFuture<String> stdout = drain(process.getInputStream());
        CompletableFuture<String> stderr = drain(process.getErrorStream());
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalArgumentException("reading the parameters of " + entrypoint + " took longer than "
                        + TIMEOUT_SECONDS + " s and was stopped; is '" + PythonScripts.python() + "' a working Python?");
            }
            return new Result(process.exitValue(), stdout.join(), stderr.join());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalArgumentException("interrupted while reading the parameters of " + entrypoint, e);
        }
    }

    private static void closeStdin(Process process) {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // the script never reads stdin; a failed close changes nothing
        }
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        // A thread of its own rather than the common pool: two blocking reads there could
        // run one after the other on a small machine, and the second pipe would fill up.
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (stream) {
                text.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.completeExceptionally(new UncheckedIOException(e));
            }
        }, "ferry-signature-output");
        reader.setDaemon(true);
        reader.start();
        return text;
    }

    /** The script's own {@code ferry: ...} line when it wrote one, else the last thing Python said. */
    private static String failureMessage(String entrypoint, Result result) {
        List<String> lines = result.stderr().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        for (String line : lines) {
            if (line.startsWith("ferry: ")) {
                return line.substring("ferry: ".length());
            }
        }
        String said = lines.isEmpty() ? "no error output" : lines.get(lines.size() - 1);
        return "reading the parameters of " + entrypoint + " failed (" + PythonScripts.python()
                + " exited with code " + result.exitCode() + "): " + said;
    }

    private static String abbreviate(String text) {
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            return "nothing";
        }
        return trimmed.length() <= 200 ? trimmed : trimmed.substring(0, 200) + "...";
    }
}
