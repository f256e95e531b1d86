package dev.ferry.core.deployments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.BadInput;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pull steps a worker runs before each run of a deployment, checked before they are stored
 * (by {@code ferry deploy} against ferry.yaml, and by the server on every deploy), so a typo
 * is refused when it is made instead of failing a run at 2 a.m.
 *
 * <p>A step is an object with one key, its kind, holding that kind's fields:
 * {@code {"git_clone": {"repository": "...", "branch": "main"}}}. String fields may hold
 * templates the worker resolves at run time: {@code {{ env.NAME }}} (the worker's
 * environment, so secrets are never stored) and {@code {{ step_id.output }}} (an output of an
 * earlier step that has that {@code id}). {@code {{ git.commit }}} is resolved by
 * {@code ferry deploy} and must not reach the server.
 */
public final class PullSteps {
    /** Each kind's fields: name -> true when required. */
    public static final Map<String, Map<String, Boolean>> FIELDS = Map.of(
            "git_clone", Map.of("repository", true, "branch", false, "commit", false, "access_token", false,
                    "id", false),
            "set_working_directory", Map.of("directory", true, "id", false),
            "run_shell_script", Map.of("script", true, "directory", false, "env", false, "stream_output", false,
                    "id", false),
            "pip_install_requirements", Map.of("requirements_file", false, "directory", false, "id", false));

    /** What each kind of step hands to the steps after it, as {@code {{ id.output }}}. */
    public static final Map<String, List<String>> OUTPUTS = Map.of(
            "git_clone", List.of("directory", "commit"),
            "set_working_directory", List.of("directory"),
            "run_shell_script", List.of("stdout", "stderr"),
            "pip_install_requirements", List.of("python", "venv"));

    public static final int MAX_STEPS = 20;
    public static final int MAX_VALUE_CHARS = 8192;

    /** {@code {{ expression }}}; anything else between braces is a bad template. */
    public static final Pattern TEMPLATE = Pattern.compile("\\{\\{\\s*([^{}]*?)\\s*}}");
    private static final Pattern ENV = Pattern.compile("env\\.([A-Za-z_][A-Za-z0-9_]*)");
    private static final Pattern STEP_REF = Pattern.compile("([A-Za-z_][A-Za-z0-9_-]*)\\.([a-z_]+)");
    private static final Pattern ID = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]{0,63}");
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{7,64}");

    private PullSteps() {}

    /**
     * The steps, checked together (a template may name an earlier step's id).
     *
     * @param field how the list is named to the caller, e.g. {@code pull_steps} or {@code pull}
     * @throws BadInput 422 naming the offending field, e.g. {@code pull_steps[1].git_clone.repository}
     */
    public static List<PullStep> parse(String field, List<JsonNode> steps) {
        validate(field, steps);
        if (steps == null) return List.of();
        return steps.stream().map(step -> PullStep.of((ObjectNode) step)).toList();
    }

    /** As {@link #parse}, for callers that keep the steps as JSON ({@code ferry deploy} checking ferry.yaml). */
    public static void validate(String field, List<JsonNode> steps) {
        if (steps == null) return;
        if (steps.size() > MAX_STEPS) throw BadInput.invalid(field, "at most " + MAX_STEPS + " pull steps are allowed");
        Map<String, String> kindsById = new java.util.HashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            String at = field + "[" + i + "]";
            JsonNode step = steps.get(i);
            if (step == null || !step.isObject() || step.size() != 1) {
                throw BadInput.invalid(at, "a pull step is an object with one key, its kind (one of "
                        + kinds() + "), e.g. {\"git_clone\": {\"repository\": \"https://...\"}}");
            }
            String kind = step.fieldNames().next();
            Map<String, Boolean> fields = FIELDS.get(kind);
            if (fields == null) {
                String hint = kind.contains(".") ? " (write the step's short name, e.g. git_clone)" : "";
                throw BadInput.invalid(at + "." + kind, "unknown pull step '" + kind + "'" + hint + "; known steps: "
                        + kinds());
            }
            String base = at + "." + kind;
            JsonNode body = step.get(kind);
            if (!body.isObject()) throw BadInput.invalid(base, "'" + kind + "' takes an object of fields: " + sorted(fields.keySet()));
            for (Map.Entry<String, Boolean> f : fields.entrySet()) {
                if (f.getValue() && (!body.hasNonNull(f.getKey()) || body.get(f.getKey()).asText("").isBlank())) {
                    throw BadInput.invalid(base + "." + f.getKey(), "'" + kind + "' needs '" + f.getKey() + "'");
                }
            }
            Iterator<Map.Entry<String, JsonNode>> it = body.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                String key = e.getKey();
                String path = base + "." + key;
                if (!fields.containsKey(key)) {
                    throw BadInput.invalid(path, "unknown field '" + key + "' of step '" + kind + "'; it takes: "
                            + sorted(fields.keySet()));
                }
                JsonNode value = e.getValue();
                if (key.equals("env")) {
                    if (!value.isObject()) throw BadInput.invalid(path, "'env' must be an object of NAME: value");
                    Iterator<Map.Entry<String, JsonNode>> vars = value.fields();
                    while (vars.hasNext()) {
                        Map.Entry<String, JsonNode> v = vars.next();
                        if (!v.getValue().isValueNode() || v.getValue().isNull()) {
                            throw BadInput.invalid(path + "." + v.getKey(), "an environment value must be text");
                        }
                        checkTemplates(path + "." + v.getKey(), v.getValue().asText(), kindsById);
                    }
                } else if (key.equals("stream_output")) {
                    if (!value.isBoolean()) throw BadInput.invalid(path, "'stream_output' must be true or false");
                } else {
                    if (!value.isTextual()) throw BadInput.invalid(path, "'" + key + "' must be text");
                    checkTemplates(path, value.asText(), kindsById);
                }
            }
            if (kind.equals("git_clone")) {
                for (String arg : List.of("repository", "branch", "commit")) {
                    if (body.path(arg).asText("").startsWith("-")) {
                        throw BadInput.invalid(base + "." + arg, "'" + arg + "' must not start with '-': git would read it "
                                + "as an option");
                    }
                }
            }
            if (kind.equals("git_clone") && body.hasNonNull("commit")) {
                String commit = body.get("commit").asText();
                if (!TEMPLATE.matcher(commit).find() && !COMMIT.matcher(commit).matches()) {
                    throw BadInput.invalid(base + ".commit", "'commit' must be a commit hash (7 to 64 hex digits), got '"
                            + commit + "'");
                }
            }
            if (body.hasNonNull("id")) {
                String id = body.get("id").asText();
                if (!ID.matcher(id).matches() || id.equals("env") || id.equals("git")) {
                    throw BadInput.invalid(base + ".id", "step id '" + id + "' must be a name of letters, digits, "
                            + "'_' and '-' (not 'env' or 'git')");
                }
                if (kindsById.put(id, kind) != null) {
                    throw BadInput.invalid(base + ".id", "step id '" + id + "' is used by an earlier step too");
                }
            }
        }
    }

    /** Refuses text whose {@code {{ }}} templates are not env or earlier-step references. */
    static void checkTemplates(String path, String text, Map<String, String> kindsById) {
        if (text.length() > MAX_VALUE_CHARS) {
            throw BadInput.invalid(path, "value is longer than " + MAX_VALUE_CHARS + " characters");
        }
        Matcher m = TEMPLATE.matcher(text);
        StringBuilder rest = new StringBuilder();
        int last = 0;
        while (m.find()) {
            rest.append(text, last, m.start());
            last = m.end();
            String expression = m.group(1);
            if (ENV.matcher(expression).matches()) continue;
            if (expression.startsWith("git.")) {
                throw BadInput.invalid(path, "template '" + m.group() + "' is resolved by 'ferry deploy' and must not "
                        + "be stored; deploy with the ferry CLI or write the value itself");
            }
            Matcher ref = STEP_REF.matcher(expression);
            if (!ref.matches()) {
                throw BadInput.invalid(path, "bad template '" + m.group() + "'; accepted: {{ env.NAME }}, "
                        + "{{ step_id.output }} and, in ferry.yaml, {{ git.commit }}");
            }
            String kind = kindsById.get(ref.group(1));
            if (kind == null) {
                throw BadInput.invalid(path, "template '" + m.group() + "' names no earlier step; give a step "
                        + "'id: " + ref.group(1) + "' before this one");
            }
            if (!OUTPUTS.get(kind).contains(ref.group(2))) {
                throw BadInput.invalid(path, "template '" + m.group() + "': a " + kind + " step's outputs are "
                        + OUTPUTS.get(kind));
            }
        }
        rest.append(text.substring(last));
        if (rest.indexOf("{{") >= 0 || rest.indexOf("}}") >= 0) {
            throw BadInput.invalid(path, "unbalanced '{{' or '}}' in '" + text + "'; templates look like {{ env.NAME }}");
        }
    }

    private static String kinds() {
        return sorted(FIELDS.keySet());
    }

    private static String sorted(Set<String> names) {
        return String.join(", ", new java.util.TreeSet<>(new HashSet<>(names)));
    }
}
