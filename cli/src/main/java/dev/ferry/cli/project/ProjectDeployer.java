package dev.ferry.cli.project;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.commands.KeyValues;
import dev.ferry.cli.commands.UsageError;
import dev.ferry.cli.deployments.ParameterValues;
import dev.ferry.cli.flows.FlowSignature;
import dev.ferry.cli.git.Git;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Json;
import dev.ferry.core.deployments.PullSteps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Turns the deployments of a ferry.yaml (plus the command line's overrides) into the requests
 * {@code ferry deploy} sends: entrypoints made relative to the repository root, templates
 * resolved, {@code git_clone} steps pinned to the commit being deployed, and a refusal when the
 * files a deployment uses have changes a worker could not fetch.
 */
public final class ProjectDeployer {

    /** Command-line values that replace (or, for parameters and job variables, add to) ferry.yaml's. */
    public record Overrides(String pool, String queue, List<String> params, String paramsJson,
                            List<String> jobVariables, ArrayNode schedules, List<String> tags, String version,
                            String description, Integer concurrencyLimit, String collisionStrategy, Integer retries,
                            Integer retryDelay, String flowName) {
        public List<String> given() {
            List<String> given = new ArrayList<>();
            if (pool != null) given.add("--pool");
            if (queue != null) given.add("--queue");
            if (params != null && !params.isEmpty()) given.add("--param");
            if (paramsJson != null) given.add("--params");
            if (jobVariables != null && !jobVariables.isEmpty()) given.add("--job-variable");
            if (schedules != null) given.add("--cron/--interval/--rrule");
            if (tags != null && !tags.isEmpty()) given.add("--tag");
            if (version != null) given.add("--version");
            if (description != null) given.add("--description");
            if (concurrencyLimit != null) given.add("--concurrency-limit");
            if (collisionStrategy != null) given.add("--collision-strategy");
            if (retries != null) given.add("--retries");
            if (retryDelay != null) given.add("--retry-delay");
            if (flowName != null) given.add("--flow-name");
            return given;
        }
    }

    /** One deployment ready to send, and what the user should hear about it first. */
    public record Plan(String display, ObjectNode body, String pinnedCommit, List<String> warnings) {}

    private final ProjectFile project;
    private final Path root;
    private final Function<String, String> env;
    private final boolean allowDirty;
    private final Templates templates;
    private final String head;
    private final String remote;

    /**
     * @param root the repository root (or ferry.yaml's directory outside git): what entrypoints are relative to
     */
    public ProjectDeployer(ProjectFile project, Path root, boolean inGit, Function<String, String> env,
                           boolean allowDirty) {
        this.project = project;
        this.root = root;
        this.env = env;
        this.allowDirty = allowDirty;
        this.head = inGit ? Git.head(root) : null;
        this.remote = inGit ? Git.remoteUrl(root) : null;
        this.templates = new Templates(new Templates.GitValues(head, inGit ? Git.branch(root) : null), env);
    }

    /** The deployments that {@code -n} patterns select: {@code name}, {@code flow/name}, with * and ? globs. */
    public List<ProjectFile.Entry> select(List<String> patterns, boolean all) {
        List<ProjectFile.Entry> entries = project.deployments();
        if (entries.isEmpty()) {
            throw new UsageError(project.where("deployments") + ": declares no deployments; add one under "
                    + "'deployments:' or run 'ferry deploy' in a terminal to be asked for one");
        }
        if (all) return entries;
        if (patterns == null || patterns.isEmpty()) {
            if (entries.size() == 1) return entries;
            throw new UsageError(project.where("deployments") + " declares " + entries.size() + " deployments ("
                    + names(entries) + "); pick with -n NAME (globs and flow/name work) or deploy them all with --all");
        }
        Set<ProjectFile.Entry> chosen = new LinkedHashSet<>();
        for (String pattern : patterns) {
            Pattern glob = glob(pattern);
            List<ProjectFile.Entry> matched = new ArrayList<>();
            for (ProjectFile.Entry e : entries) {
                if (glob.matcher(e.name()).matches() || glob.matcher(flowName(e) + "/" + e.name()).matches()) {
                    matched.add(e);
                }
            }
            if (matched.isEmpty()) {
                throw new UsageError("-n '" + pattern + "' matches no deployment of " + project.where("deployments")
                        + "; it declares " + names(entries));
            }
            chosen.addAll(matched);
        }
        return List.copyOf(chosen);
    }

    public Plan plan(ProjectFile.Entry entry, Overrides o) {
        JsonNode d = entry.node();
        String at = entry.path();
        String entrypoint = rootRelative(entry.entrypoint(), at + ".entrypoint");
        FlowSignature.Described described;
        try {
            described = FlowSignature.describe(root, entrypoint);
        } catch (IllegalArgumentException e) {
            throw project.error(at + ".entrypoint", e.getMessage());
        }
        ObjectNode schema = described.parameters();
        // The command line wins, then ferry.yaml, then what @flow(...) and the docstring say.
        String flow = o.flowName() != null ? o.flowName()
                : d.hasNonNull("flow_name") ? d.get("flow_name").asText()
                : described.name() != null ? described.name() : FlowSignature.flowName(function(entrypoint));
        JsonNode pool = d.path("work_pool");
        String poolName = o.pool() != null ? o.pool() : text(pool.get("name"));
        if (poolName == null) {
            throw project.error(at, "deployment '" + entry.name() + "' names no work pool; add work_pool: {name: POOL} "
                    + "or pass -p POOL");
        }
        ObjectNode body = Json.MAPPER.createObjectNode()
                .put("name", entry.name())
                .put("flow_name", flow)
                .put("entrypoint", entrypoint)
                .put("work_pool_name", poolName);
        String queue = o.queue() != null ? o.queue() : text(pool.get("work_queue_name"));
        if (queue != null) body.put("work_queue_name", queue);

        ObjectNode parameters = Json.MAPPER.createObjectNode();
        if (d.path("parameters").isObject()) parameters.setAll((ObjectNode) resolve(d.get("parameters"), at + ".parameters"));
        parameters.setAll(ParameterValues.of(o.paramsJson(), o.params(), schema));
        body.set("parameters", parameters);
        body.set("parameter_openapi_schema", schema);

        ObjectNode jobVariables = Json.MAPPER.createObjectNode();
        if (pool.path("job_variables").isObject()) {
            jobVariables.setAll((ObjectNode) resolve(pool.get("job_variables"), at + ".work_pool.job_variables"));
        }
        jobVariables.setAll(KeyValues.parse("--job-variable", o.jobVariables(), key -> false));
        body.set("job_variables", jobVariables);

        if (o.tags() != null && !o.tags().isEmpty()) o.tags().forEach(body.putArray("tags")::add);
        else if (d.path("tags").isArray()) body.set("tags", resolve(d.get("tags"), at + ".tags"));

        if (o.schedules() != null) body.set("schedules", o.schedules());
        else if (d.has("schedules")) {
            body.set("schedules", d.get("schedules").isNull() ? Json.MAPPER.createArrayNode()
                    : resolve(d.get("schedules"), at + ".schedules"));
        }

        // Triggers' templates ({{ event.payload.x }}) are the server's to render when they fire: sent as written.
        // Left out, the deployment keeps the triggers it has; an empty list removes them.
        if (d.has("triggers")) body.set("triggers", d.get("triggers").isNull() ? Json.MAPPER.createArrayNode() : d.get("triggers"));

        concurrency(body, d.get("concurrency_limit"), o, at);
        String version = o.version() != null ? o.version() : resolvedText(d.get("version"), at + ".version");
        if (version != null) body.put("version", version);
        String description = o.description() != null ? o.description()
                : d.hasNonNull("description") ? resolvedText(d.get("description"), at + ".description")
                : described.description();
        if (description != null) body.put("description", description);
        if (d.path("enforce_parameter_schema").isBoolean()) body.set("enforce_parameter_schema", d.get("enforce_parameter_schema"));
        if (d.path("paused").isBoolean()) body.set("paused", d.get("paused"));
        Integer retries = o.retries() != null ? o.retries() : d.path("retries").isInt() ? Integer.valueOf(d.get("retries").asInt())
                : described.retries();
        if (retries != null) body.put("retries", retries);
        Integer delay = o.retryDelay() != null ? o.retryDelay()
                : d.path("retry_delay_seconds").isInt() ? Integer.valueOf(d.get("retry_delay_seconds").asInt())
                : described.retryDelaySeconds();
        if (delay != null) body.put("retry_delay_seconds", delay);

        List<String> warnings = new ArrayList<>();
        String pinned = pullSteps(body, entry, entrypoint, warnings);
        return new Plan(flow + "/" + entry.name(), body, pinned, warnings);
    }

    /** Sets {@code pull_steps}; answers the commit the git_clone steps were pinned to, or null. */
    private String pullSteps(ObjectNode body, ProjectFile.Entry entry, String entrypoint, List<String> warnings) {
        JsonNode own = entry.node().get("pull");
        String at = own != null && !own.isNull() ? entry.path() + ".pull" : "pull";
        JsonNode source = own != null && !own.isNull() ? own : project.pull();
        ArrayNode steps = (ArrayNode) templates.resolveTree(source, at, true, project::error);
        List<JsonNode> list = new ArrayList<>();
        steps.forEach(list::add);
        try {
            PullSteps.validate(at, list);
        } catch (BadInput e) {
            throw project.error(e.field() == null ? at : e.field(), e.getMessage());
        }
        body.set("pull_steps", steps);
        if (list.isEmpty()) {
            warnings.add("no pull steps: workers run " + entrypoint + " from the code in their own working directory "
                    + "(or the pool's working_dir)");
            return null;
        }
        String pinned = null;
        for (int i = 0; i < steps.size(); i++) {
            ObjectNode clone = (ObjectNode) steps.get(i).get("git_clone");
            if (clone == null || clone.hasNonNull("commit") || head == null) continue;
            if (!sameRepository(clone.path("repository").asText(), remote)) continue;
            checkClean(entrypoint, list, warnings);
            clone.put("commit", head);
            pinned = head;
        }
        return pinned;
    }

    private void checkClean(String entrypoint, List<JsonNode> steps, List<String> warnings) {
        String dir = entrypoint.contains("/") ? entrypoint.substring(0, entrypoint.lastIndexOf('/') + 1) : "";
        String file = entrypoint.substring(0, entrypoint.lastIndexOf(':'));
        Set<String> requirements = new LinkedHashSet<>();
        for (JsonNode step : steps) {
            JsonNode pip = step.get("pip_install_requirements");
            if (pip != null) requirements.add(pip.path("requirements_file").asText("requirements.txt"));
        }
        Set<String> uncommitted = new LinkedHashSet<>();
        for (String f : Git.uncommitted(root)) if (uses(f, file, dir, requirements)) uncommitted.add(f);
        Set<String> unpushed = new LinkedHashSet<>();
        for (String f : Git.unpushed(root)) if (uses(f, file, dir, requirements)) unpushed.add(f);
        boolean headPushed = Git.headPushed(root);
        if (uncommitted.isEmpty() && unpushed.isEmpty() && headPushed) return;
        List<String> parts = new ArrayList<>();
        if (!uncommitted.isEmpty()) parts.add("uncommitted changes to " + String.join(", ", uncommitted));
        if (!unpushed.isEmpty()) parts.add("unpushed commits changing " + String.join(", ", unpushed));
        if (parts.isEmpty()) parts.add("commit " + abbreviate(head) + " is not on the remote yet");
        String what = String.join("; ", parts);
        if (!allowDirty) {
            throw new UsageError("workers clone commit " + abbreviate(head) + " from " + Git.redact(remote)
                    + ", which would not have your " + what + "; commit and push first, or pass --allow-dirty to "
                    + "deploy anyway");
        }
        warnings.add("deploying commit " + abbreviate(head) + " without your " + what
                + (headPushed ? "" : " (push it before the deployment runs, or its clone will fail)"));
    }

    private static boolean uses(String changed, String file, String dir, Set<String> requirements) {
        return changed.equals(file) || requirements.contains(changed) || (changed.startsWith(dir) && changed.endsWith(".py"));
    }

    /** True when the step clones the repository being deployed from (scheme, credentials and ".git" aside). */
    static boolean sameRepository(String stepUrl, String remote) {
        if (remote == null || stepUrl == null) return false;
        return normalize(stepUrl).equals(normalize(remote));
    }

    private static String normalize(String url) {
        String u = url.strip().replaceAll("\\{\\{[^}]*}}@", "").replaceAll("(?<=://)[^/@]+@", "");
        u = u.replaceFirst("^[a-z+]+://", "").replaceFirst("^git@([^:]+):", "$1/").replaceFirst("^file:/*", "/");
        if (u.endsWith("/")) u = u.substring(0, u.length() - 1);
        if (u.endsWith(".git")) u = u.substring(0, u.length() - 4);
        return u.toLowerCase(Locale.ROOT);
    }

    private void concurrency(ObjectNode body, JsonNode yaml, Overrides o, String at) {
        Integer limit = o.concurrencyLimit();
        String strategy = o.collisionStrategy();
        if (limit == null && yaml != null && !yaml.isNull()) {
            limit = yaml.isObject() ? yaml.path("limit").asInt() : yaml.asInt();
            if (strategy == null && yaml.isObject() && yaml.hasNonNull("collision_strategy")) {
                strategy = yaml.get("collision_strategy").asText();
                String value = strategy.toUpperCase(Locale.ROOT).replace('-', '_');
                if (!value.equals("ENQUEUE") && !value.equals("CANCEL_NEW")) {
                    throw project.error(at + ".concurrency_limit.collision_strategy", "'" + strategy
                            + "' is not one of ENQUEUE, CANCEL_NEW");
                }
            }
        }
        if (limit != null) body.put("concurrency_limit", limit);
        if (strategy != null) body.put("collision_strategy", strategy.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    /** ferry.yaml's entrypoint is relative to the file's directory; the stored one to the repository root. */
    private String rootRelative(String entrypoint, String at) {
        int colon = entrypoint.lastIndexOf(':');
        if (colon <= 0) throw project.error(at, "'" + entrypoint + "' is not path/file.py:function");
        Path file = project.file().toAbsolutePath().getParent().resolve(entrypoint.substring(0, colon)).normalize();
        if (!file.startsWith(root)) throw project.error(at, "'" + entrypoint + "' is outside the repository " + root);
        if (!Files.isRegularFile(file)) throw project.error(at, "'" + entrypoint + "': no such file " + file);
        return root.relativize(file).toString().replace('\\', '/') + entrypoint.substring(colon);
    }

    private JsonNode resolve(JsonNode node, String path) {
        return templates.resolveTree(node, path, false, project::error);
    }

    private String resolvedText(JsonNode node, String path) {
        if (node == null || node.isNull()) return null;
        return resolve(node.isTextual() ? node : Json.MAPPER.getNodeFactory().textNode(node.asText()), path).asText();
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() || node.asText().isBlank() ? null : node.asText();
    }

    private String flowName(ProjectFile.Entry e) {
        return e.node().hasNonNull("flow_name") ? e.node().get("flow_name").asText()
                : FlowSignature.flowName(function(e.entrypoint()));
    }

    private static String function(String entrypoint) {
        return entrypoint.substring(entrypoint.lastIndexOf(':') + 1);
    }

    private static String names(List<ProjectFile.Entry> entries) {
        List<String> names = new ArrayList<>();
        for (ProjectFile.Entry e : entries) names.add(e.name());
        return String.join(", ", names);
    }

    static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            if (c == '*') regex.append(".*");
            else if (c == '?') regex.append('.');
            else regex.append(Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(regex.toString());
    }

    static String abbreviate(String commit) {
        return commit == null ? "?" : commit.substring(0, Math.min(12, commit.length()));
    }
}
