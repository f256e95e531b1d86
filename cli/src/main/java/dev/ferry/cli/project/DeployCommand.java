package dev.ferry.cli.project;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.client.ApiResponse;
import dev.ferry.cli.client.FerryApi;
import dev.ferry.cli.commands.ApiOptions;
import dev.ferry.cli.commands.DeploymentRef;
import dev.ferry.cli.commands.KeyValues;
import dev.ferry.cli.commands.UsageError;
import dev.ferry.cli.deployments.ParameterValues;
import dev.ferry.cli.flows.FlowSignature;
import dev.ferry.cli.git.Git;
import dev.ferry.cli.output.Output;
import dev.ferry.core.common.Json;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "deploy", description = {
        "Create or update deployments: those ferry.yaml declares, or one flow function given as ENTRYPOINT.",
        "In a terminal with neither, asks which flow to deploy, and how (--no-prompt never asks)."})
public final class DeployCommand implements Callable<Integer> {
    private static final Pattern INTERVAL = Pattern.compile("(\\d+)([smhd]?)");

    @Mixin
    ApiOptions options;

    // --version here is the deployment's version, so the inherited -V/--version can't apply; help still must.
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Parameters(paramLabel = "ENTRYPOINT", arity = "0..1",
            description = "path/file.py:function (relative to this directory or the repository root); "
                    + "without it, the deployments of ferry.yaml.")
    String entrypoint;

    @Option(names = {"-n", "--name"}, paramLabel = "NAME",
            description = "With ENTRYPOINT: the deployment's name. Else: which of ferry.yaml's deployments to deploy "
                    + "(repeatable; NAME or FLOW/NAME, * and ? globs).")
    List<String> names;

    @Option(names = "--all", description = "Deploy every deployment of ferry.yaml.")
    boolean all;

    @Option(names = "--file", paramLabel = "PATH",
            description = "The project file. Default: ferry.yaml here or in a parent directory up to the repository root.")
    Path file;

    @Option(names = "--allow-dirty",
            description = "Deploy even when files the deployment uses have uncommitted or unpushed changes.")
    boolean allowDirty;

    @Option(names = "--no-prompt", description = "Never ask questions, even in a terminal.")
    boolean noPrompt;

    @Option(names = {"-p", "--pool"}, paramLabel = "POOL", description = "Work pool to run it in.")
    String pool;

    @Option(names = {"-q", "--queue"}, paramLabel = "QUEUE", description = "Work queue (default: the pool's default).")
    String queue;

    @Option(names = "--flow-name", paramLabel = "FLOW", description = "Default: @flow(name=...) in the source, else the function name with '_' as '-'.")
    String flowName;

    @Option(names = "--param", paramLabel = "KEY=VALUE", description = "Default parameter value (repeatable).")
    List<String> params;

    @Option(names = "--params", paramLabel = "JSON", description = "Default parameters as a JSON object.")
    String paramsJson;

    @Option(names = "--job-variable", paramLabel = "KEY=VALUE", description = "Job variable (repeatable).")
    List<String> jobVariables;

    @Option(names = {"-t", "--tag"}, paramLabel = "TAG", description = "Tag (repeatable).")
    List<String> tags;

    @Option(names = "--concurrency-limit", paramLabel = "N", description = "Most runs of this deployment at once.")
    Integer concurrencyLimit;

    @Option(names = "--collision-strategy", paramLabel = "STRATEGY",
            description = "At the limit: ENQUEUE (wait) or CANCEL_NEW.")
    String collisionStrategy;

    @Option(names = "--description", paramLabel = "TEXT")
    String description;

    @Option(names = "--version", paramLabel = "VERSION")
    String version;

    @Option(names = "--retries", paramLabel = "N", description = "Times a failed run is tried again.")
    Integer retries;

    @Option(names = "--retry-delay", paramLabel = "SECONDS", description = "Wait between retries.")
    Integer retryDelay;

    @Option(names = "--cron", paramLabel = "EXPR", description = "Schedule: a cron expression, e.g. '0 2 * * *'.")
    String cron;

    @Option(names = "--interval", paramLabel = "SECONDS", description = "Schedule: every N seconds (or 10m, 1h, 1d).")
    String interval;

    @Option(names = "--anchor-date", paramLabel = "TIME", description = "With --interval: when the intervals count from.")
    String anchorDate;

    @Option(names = "--rrule", paramLabel = "RRULE", description = "Schedule: an RFC 5545 RRULE.")
    String rrule;

    @Option(names = "--timezone", paramLabel = "ZONE", description = "The schedule's IANA time zone. Default: UTC.")
    String timezone;

    @Override
    public Integer call() {
        String strategy = collisionStrategy();
        ArrayNode schedules = schedules();
        Path cwd = Path.of("").toAbsolutePath().normalize();
        if (entrypoint != null) return deployOne(cwd, strategy, schedules);

        Path gitRoot = Git.root(cwd);
        Path projectFile = ProjectFile.locate(file, cwd, gitRoot);
        ProjectDeployer.Overrides overrides = overrides(strategy, schedules);
        boolean flags = (names != null && !names.isEmpty()) || all || !overrides.given().isEmpty();
        if (!noPrompt && !flags && !options.output().json() && Terminal.interactive()) {
            return new Wizard(options, cwd, gitRoot, projectFile).run();
        }
        if (projectFile == null) {
            throw new UsageError("no " + ProjectFile.FILE_NAME + " here" + (gitRoot != null ? " or up to the repository root "
                    + gitRoot : "") + "; write one with 'ferry init', pass --file PATH, or deploy one flow with "
                    + "'ferry deploy path/file.py:function -n NAME -p POOL'");
        }
        ProjectFile project = ProjectFile.read(projectFile, shown(cwd, projectFile));
        Path dir = projectFile.toAbsolutePath().getParent();
        Path root = Git.root(dir);
        ProjectDeployer deployer = new ProjectDeployer(project, root != null ? root : dir, root != null,
                System::getenv, allowDirty);
        List<ProjectFile.Entry> chosen = deployer.select(names, all);
        if (chosen.size() > 1 && !overrides.given().isEmpty()) {
            throw new UsageError(String.join(", ", overrides.given()) + " would apply to all " + chosen.size()
                    + " deployments selected (" + chosen.stream().map(ProjectFile.Entry::name).reduce((a, b) -> a + ", " + b)
                    .orElse("") + "); pick one with -n NAME, or put the values in " + ProjectFile.FILE_NAME);
        }
        List<ProjectDeployer.Plan> plans = new ArrayList<>();
        for (ProjectFile.Entry e : chosen) plans.add(deployer.plan(e, overrides));
        return send(options, plans);
    }

    /** Sends the planned deployments, saying what became of each. */
    public static int send(ApiOptions options, List<ProjectDeployer.Plan> plans) {
        FerryApi api = options.api();
        Output out = options.output();
        PrintWriter err = options.err();
        ArrayNode results = Json.MAPPER.createArrayNode();
        for (ProjectDeployer.Plan plan : plans) {
            for (String warning : plan.warnings()) err.println("warning: " + plan.display() + ": " + warning);
            err.flush();
            ApiResponse answer = api.upsertDeployment(plan.body());
            JsonNode deployment = answer.body();
            results.add(deployment);
            if (!out.json()) {
                String ref = DeploymentRef.display(deployment);
                out.line("Deployment '" + ref + "' " + (answer.created() ? "created" : "updated")
                        + (plan.pinnedCommit() != null ? " (workers clone commit " + plan.pinnedCommit().substring(0,
                        Math.min(12, plan.pinnedCommit().length())) + ")" : ""));
            }
        }
        if (out.json()) {
            out.print(results.size() == 1 ? results.get(0) : results);
        } else if (results.size() == 1) {
            out.line("Run it with: ferry deployment run '" + DeploymentRef.display(results.get(0)) + "'");
        }
        return 0;
    }

    private int deployOne(Path cwd, String strategy, ArrayNode schedules) {
        if (all) throw new UsageError("--all deploys ferry.yaml's deployments; it does not go with ENTRYPOINT");
        if (names == null || names.size() != 1) {
            throw new UsageError("deploying " + entrypoint + " needs exactly one -n NAME (the deployment's name)");
        }
        if (pool == null) throw new UsageError("deploying " + entrypoint + " needs -p POOL (the work pool to run it in)");
        if (strategy != null && concurrencyLimit == null) {
            throw new UsageError("--collision-strategy only applies with --concurrency-limit N");
        }
        Path gitRoot = Git.root(cwd);
        Path root = gitRoot != null ? gitRoot : cwd;
        String stored = rootRelative(cwd, root, entrypoint);
        FlowSignature.Described described;
        try {
            described = FlowSignature.describe(root, stored);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
        ObjectNode schema = described.parameters();
        // Options win over what @flow(...) and the docstring say.
        String flow = flowName != null ? flowName
                : described.name() != null ? described.name() : FlowSignature.flowName(function());
        ObjectNode body = Json.MAPPER.createObjectNode()
                .put("name", names.get(0))
                .put("flow_name", flow)
                .put("entrypoint", stored)
                .put("work_pool_name", pool);
        if (queue != null) body.put("work_queue_name", queue);
        body.set("parameters", ParameterValues.of(paramsJson, params, schema));
        body.set("parameter_openapi_schema", schema);
        body.set("job_variables", KeyValues.parse("--job-variable", jobVariables, key -> false));
        if (tags != null) tags.forEach(body.putArray("tags")::add);
        if (schedules != null) body.set("schedules", schedules);
        if (concurrencyLimit != null) body.put("concurrency_limit", concurrencyLimit);
        if (strategy != null) body.put("collision_strategy", strategy);
        String about = description != null ? description : described.description();
        if (about != null) body.put("description", about);
        if (version != null) body.put("version", version);
        Integer retryCount = retries != null ? retries : described.retries();
        if (retryCount != null) body.put("retries", retryCount);
        Integer delay = retryDelay != null ? retryDelay : described.retryDelaySeconds();
        if (delay != null) body.put("retry_delay_seconds", delay);
        return send(options, List.of(new ProjectDeployer.Plan(flow + "/" + names.get(0), body, null, List.of())));
    }

    /**
     * The entrypoint as stored: relative to the repository root, so a worker (which runs from the
     * root of its checkout) finds the file whichever directory it was deployed from.
     */
    static String rootRelative(Path cwd, Path root, String entrypoint) {
        int colon = entrypoint.lastIndexOf(':');
        if (colon <= 0) return entrypoint; // FlowSignature words the error
        String path = entrypoint.substring(0, colon);
        Path here = cwd.resolve(path).normalize();
        Path file = Files.isRegularFile(here) || !Files.isRegularFile(root.resolve(path)) ? here : root.resolve(path).normalize();
        if (!file.startsWith(root)) return entrypoint;
        return root.relativize(file).toString().replace('\\', '/') + entrypoint.substring(colon);
    }

    private ProjectDeployer.Overrides overrides(String strategy, ArrayNode schedules) {
        return new ProjectDeployer.Overrides(pool, queue, params, paramsJson, jobVariables, schedules, tags, version,
                description, concurrencyLimit, strategy, retries, retryDelay, flowName);
    }

    /** One schedule from --cron, --interval or --rrule (with --timezone), or null when none was given. */
    ArrayNode schedules() {
        int kinds = (cron != null ? 1 : 0) + (interval != null ? 1 : 0) + (rrule != null ? 1 : 0);
        if (kinds == 0) {
            if (timezone != null || anchorDate != null) {
                throw new UsageError((timezone != null ? "--timezone" : "--anchor-date")
                        + " goes with a schedule: add --cron, --interval or --rrule");
            }
            return null;
        }
        if (kinds > 1) throw new UsageError("give one of --cron, --interval and --rrule, not several");
        if (anchorDate != null && interval == null) throw new UsageError("--anchor-date only goes with --interval");
        ObjectNode schedule = Json.MAPPER.createObjectNode();
        if (cron != null) schedule.put("cron", cron);
        if (interval != null) schedule.put("interval", intervalSeconds(interval));
        if (anchorDate != null) schedule.put("anchor_date", anchorDate);
        if (rrule != null) schedule.put("rrule", rrule);
        if (timezone != null) schedule.put("timezone", timezone);
        ArrayNode list = Json.MAPPER.createArrayNode();
        list.add(schedule);
        return list;
    }

    static long intervalSeconds(String text) {
        Matcher m = INTERVAL.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new UsageError("--interval '" + text + "' is not a number of seconds (or 10m, 2h, 1d)");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new UsageError("--interval '" + text + "' is too large");
        }
        switch (m.group(2)) {
            case "m":
                return n * 60;
            case "h":
                return n * 3600;
            case "d":
                return n * 86400;
            default:
                return n;
        }
    }

    private String function() {
        return entrypoint.substring(entrypoint.lastIndexOf(':') + 1);
    }

    private static String shown(Path cwd, Path file) {
        Path abs = file.toAbsolutePath().normalize();
        return abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString();
    }

    private String collisionStrategy() {
        if (collisionStrategy == null) return null;
        String value = collisionStrategy.toUpperCase(Locale.ROOT).replace('-', '_');
        if (!value.equals("ENQUEUE") && !value.equals("CANCEL_NEW")) {
            throw new UsageError("--collision-strategy '" + collisionStrategy + "' is not one of ENQUEUE, CANCEL_NEW");
        }
        return value;
    }
}
