package dev.ferry.cli.project;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.ferry.core.deployments.PullSteps;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;

/**
 * {@code {{ ... }}} in ferry.yaml, as {@code ferry deploy} resolves it. {@code git.commit} and
 * {@code git.branch} are the repository as deployed; {@code env.NAME} is this shell's
 * environment. In {@code pull} steps only {@code git.*} is resolved here: {@code env.NAME} and
 * {@code step_id.output} stay templates that the worker resolves before each run, so a token in
 * the environment is never stored in the deployment.
 */
final class Templates {
    /** What {@code git.*} resolves to; null fields mean "not in a git repository". */
    record GitValues(String commit, String branch) {}

    /** Thrown for a bad or unresolvable template; the caller adds file:line and the key. */
    static final class Bad extends RuntimeException {
        Bad(String message) {
            super(message);
        }
    }

    private final GitValues git;
    private final Function<String, String> env;

    Templates(GitValues git, Function<String, String> env) {
        this.git = git;
        this.env = env;
    }

    /** A deployment field: everything resolved now. */
    String resolveAll(String text) {
        return resolve(text, false);
    }

    /** A pull step field: {@code git.*} resolved, the rest kept for the worker. */
    String resolveGit(String text) {
        return resolve(text, true);
    }

    private String resolve(String text, boolean keepRuntime) {
        Matcher m = PullSteps.TEMPLATE.matcher(text);
        StringBuilder out = new StringBuilder();
        int last = 0;
        while (m.find()) {
            out.append(text, last, m.start());
            last = m.end();
            String expression = m.group(1);
            if (expression.startsWith("git.")) {
                out.append(gitValue(m.group(), expression));
            } else if (expression.startsWith("env.") && !keepRuntime) {
                String name = expression.substring(4);
                String value = env.apply(name);
                if (value == null) throw new Bad("template '" + m.group() + "': environment variable " + name + " is not set");
                out.append(value);
            } else if (keepRuntime) {
                out.append(m.group()); // checked by PullSteps.validate
            } else {
                throw new Bad("bad template '" + m.group() + "'; here only {{ env.NAME }}, {{ git.commit }} and "
                        + "{{ git.branch }} are accepted ({{ step_id.output }} works in pull steps)");
            }
        }
        String rest = text.substring(last);
        out.append(rest);
        String outside = text.replaceAll(PullSteps.TEMPLATE.pattern(), "");
        if (outside.contains("{{") || outside.contains("}}")) {
            throw new Bad("unbalanced '{{' or '}}' in '" + text + "'; templates look like {{ git.commit }}");
        }
        return out.toString();
    }

    private String gitValue(String whole, String expression) {
        String value;
        switch (expression) {
            case "git.commit":
                value = git.commit();
                break;
            case "git.branch":
                value = git.branch();
                break;
            default:
                throw new Bad("bad template '" + whole + "'; git offers {{ git.commit }} and {{ git.branch }}");
        }
        if (value == null) throw new Bad("template '" + whole + "' needs a git repository with a commit checked out");
        return value;
    }

    /**
     * Resolves every string in {@code node} (a copy is returned), reporting a bad one through
     * {@code onBad} with its path below {@code path}.
     */
    JsonNode resolveTree(JsonNode node, String path, boolean keepRuntime,
                         java.util.function.BiFunction<String, String, RuntimeException> onBad) {
        if (node.isTextual()) {
            try {
                return TextNode.valueOf(resolve(node.asText(), keepRuntime));
            } catch (Bad e) {
                throw onBad.apply(path, e.getMessage());
            }
        }
        if (node.isObject()) {
            ObjectNode copy = ((ObjectNode) node).objectNode();
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                copy.set(e.getKey(), resolveTree(e.getValue(), path + "." + e.getKey(), keepRuntime, onBad));
            }
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = ((ArrayNode) node).arrayNode();
            for (int i = 0; i < node.size(); i++) {
                copy.add(resolveTree(node.get(i), path + "[" + i + "]", keepRuntime, onBad));
            }
            return copy;
        }
        return node.deepCopy();
    }
}
