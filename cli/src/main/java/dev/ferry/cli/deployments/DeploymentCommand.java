package dev.ferry.cli.deployments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.client.ApiResponse;
import dev.ferry.cli.client.FerryApi;
import dev.ferry.cli.commands.ApiOptions;
import dev.ferry.cli.commands.DeploymentRef;
import dev.ferry.cli.commands.KeyValues;
import dev.ferry.cli.commands.UsageError;
import dev.ferry.cli.output.Output;
import dev.ferry.cli.output.Printable;
import dev.ferry.cli.output.Table;
import dev.ferry.cli.output.Times;
import dev.ferry.cli.pools.Limits;
import dev.ferry.cli.runs.RunWatcher;
import dev.ferry.core.common.Json;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "deployment", description = "List, inspect, run, pause and schedule deployments.",
        subcommands = ScheduleCommand.class)
public final class DeploymentCommand {

    @Command(name = "ls", description = "List deployments.")
    void ls(@Mixin ApiOptions options,
            @Option(names = {"-p", "--pool"}, paramLabel = "POOL", description = "Only this work pool's.") String pool) {
        List<JsonNode> deployments = options.api().deployments(pool);
        Instant now = Instant.now();
        Table table = Table.of("Deployments", "Name", "ID", "Work Pool", "Work Queue", "Concurrency Limit",
                "Paused", "Updated");
        for (JsonNode d : deployments) {
            table.row(DeploymentRef.display(d), d.path("id").asText(), d.path("work_pool_name").asText(),
                    d.path("work_queue_name").asText(), Limits.show(d.path("concurrency_limit")),
                    String.valueOf(d.path("paused").asBoolean()), Times.relative(Times.instant(d.get("updated")), now));
        }
        options.output().list(deployments, table, pool == null
                ? "No deployments yet; create one with: ferry deploy path/file.py:function -n NAME -p POOL"
                : "Work pool '" + pool + "' has no deployments");
    }

    @Command(name = "inspect", description = "Show a deployment as JSON.")
    void inspect(@Mixin ApiOptions options, @Parameters(paramLabel = "FLOW/NAME|ID") String ref) {
        options.output().print(DeploymentRef.parse(ref).fetch(options.api()));
    }

    @Command(name = "run", description = "Create a flow run of a deployment.")
    int run(@Mixin ApiOptions options,
            @Parameters(paramLabel = "FLOW/NAME|ID") String ref,
            @Option(names = "--param", paramLabel = "KEY=VALUE",
                    description = "Parameter value, read by the parameter's type: ratio=2 is 2.0 for a float, a value "
                            + "the type cannot take is refused (repeatable).") List<String> params,
            @Option(names = "--params", paramLabel = "JSON", description = "Parameters as a JSON object.") String paramsJson,
            @Option(names = "--job-variable", paramLabel = "KEY=VALUE", description = "Job variable (repeatable).")
            List<String> jobVariables,
            @Option(names = "--idempotency-key", paramLabel = "KEY",
                    description = "Repeating a key returns the run it created.") String idempotencyKey,
            @Option(names = "--start-in", paramLabel = "DURATION", description = "e.g. 30s, 10m, 2h, 1d.") String startIn,
            @Option(names = "--start-at", paramLabel = "TIME", description = "ISO-8601, e.g. 2026-01-31T12:00:00Z.")
            String startAt,
            @Option(names = {"-t", "--tag"}, paramLabel = "TAG", description = "Tag (repeatable).") List<String> tags,
            @Option(names = "--watch", description = "Follow states and logs until the run ends; exit 0 only if it completed. "
                    + "Says once when no worker has polled the run's queue for 60 s.")
            boolean watch) {
        ZoneId zone = ZoneId.systemDefault();
        Instant start = StartTimes.parse(startIn, startAt, Instant.now(), zone);
        FerryApi api = options.api();
        DeploymentRef deploymentRef = DeploymentRef.parse(ref);
        JsonNode deployment = deploymentRef.fetch(api);

        ObjectNode request = Json.MAPPER.createObjectNode();
        ObjectNode parameters = ParameterValues.of(paramsJson, params, deployment.get("parameter_openapi_schema"));
        if (!parameters.isEmpty()) request.set("parameters", parameters);
        ObjectNode variables = KeyValues.parse("--job-variable", jobVariables, key -> false);
        if (!variables.isEmpty()) request.set("job_variables", variables);
        if (idempotencyKey != null) request.put("idempotency_key", idempotencyKey);
        if (start != null) request.put("scheduled_start_time", start.toString());
        if (tags != null) tags.forEach(request.putArray("tags")::add);

        ApiResponse answer = api.createFlowRun(deployment.path("id").asText(), request);
        JsonNode run = answer.body();
        Output out = options.output();
        String runId = run.path("id").asText();
        if (!out.json()) {
            String scheduled = Times.relative(Times.instant(run.get("scheduled_start_time")), Instant.now());
            out.line(answer.created()
                    ? "Created flow run '" + run.path("name").asText() + "' (" + runId + ") of '"
                            + DeploymentRef.display(deployment) + "', scheduled " + scheduled
                    : "Flow run '" + run.path("name").asText() + "' (" + runId + ") already exists for idempotency key '"
                            + idempotencyKey + "'; it is " + run.path("state").path("name").asText());
        }
        if (deployment.path("paused").asBoolean()) {
            // Nothing would say why the run stays Scheduled; with JSON output, stdout stays one document.
            PrintWriter notice = out.json() ? options.err() : out.writer();
            notice.println(Printable.text(waitsWhilePaused(deployment)));
            notice.flush();
        }
        if (!watch) {
            if (out.json()) out.print(run);
            else out.line("Follow it with: ferry flow-run logs " + runId + " --follow");
            return 0;
        }
        // With JSON output the progress goes to stderr, so stdout stays one parseable document.
        PrintWriter progress = out.json() ? options.err() : out.writer();
        JsonNode last = new RunWatcher(api, progress, zone).watch(runId);
        if (out.json()) out.print(last);
        return "COMPLETED".equals(last.path("state").path("type").asText()) ? 0 : 1;
    }

    @Command(name = "pause", description = "Pause a deployment: its schedules create no runs and its runs are not "
            + "handed out until it is resumed, by hand or at --until.")
    void pause(@Mixin ApiOptions options, @Parameters(paramLabel = "FLOW/NAME|ID") String ref,
               @Option(names = "--note", paramLabel = "TEXT", description = "Why it is paused (shown to others).") String note,
               @Option(names = "--until", paramLabel = "TIME",
                       description = "Resume by itself at this time (ISO-8601, e.g. 2026-01-31T12:00:00Z; checked once a minute).")
               String until) {
        ZoneId zone = ZoneId.systemDefault();
        ObjectNode request = Json.MAPPER.createObjectNode();
        if (note != null) request.put("note", note);
        if (until != null) request.put("resume_at", StartTimes.instant("--until", until, zone).toString());
        FerryApi api = options.api();
        JsonNode deployment = DeploymentRef.parse(ref).fetch(api);
        JsonNode paused = api.pauseDeployment(deployment.path("id").asText(), request);
        Output out = options.output();
        if (out.json()) out.print(paused);
        else out.line(pausedLine(paused));
    }

    @Command(name = "resume", description = "Resume a paused deployment; firings missed meanwhile are caught up by "
            + "each schedule's --catchup.")
    void resume(@Mixin ApiOptions options, @Parameters(paramLabel = "FLOW/NAME|ID") String ref) {
        FerryApi api = options.api();
        JsonNode deployment = DeploymentRef.parse(ref).fetch(api);
        JsonNode resumed = api.resumeDeployment(deployment.path("id").asText());
        Output out = options.output();
        if (out.json()) out.print(resumed);
        else out.line("Resumed deployment '" + DeploymentRef.display(resumed) + "'");
    }

    @Command(name = "upcoming", description = "The next firings of a deployment's schedules (computed; no run exists yet), "
            + "in UTC and in each schedule's own time zone.")
    void upcoming(@Mixin ApiOptions options, @Parameters(paramLabel = "FLOW/NAME|ID") String ref,
                  @Option(names = {"-n", "--limit"}, paramLabel = "N", defaultValue = "10",
                          description = "How many (1 to 1000). Default: ${DEFAULT-VALUE}.") int limit,
                  @Option(names = "--after", paramLabel = "TIME", description = "Firings after this time (ISO-8601). Default now.")
                  String after,
                  @Option(names = "--until", paramLabel = "TIME", description = "Firings before this time (ISO-8601).") String until) {
        ZoneId zone = ZoneId.systemDefault();
        if (limit < 1 || limit > 1000) throw new UsageError("-n " + limit + " is out of range; accepted: 1 to 1000");
        Instant from = after == null ? null : StartTimes.instant("--after", after, zone);
        Instant to = until == null ? null : StartTimes.instant("--until", until, zone);
        FerryApi api = options.api();
        JsonNode deployment = DeploymentRef.parse(ref).fetch(api);
        List<JsonNode> slots = api.upcomingRuns(deployment.path("id").asText(), from, to, limit);
        Instant now = Instant.now();
        Table table = Table.of("Upcoming runs of '" + DeploymentRef.display(deployment) + "'",
                "Scheduled Start (UTC)", "Schedule's Local Time", "In", "Schedule", "Parameters");
        for (JsonNode slot : slots) {
            Instant at = Times.instant(slot.get("scheduled_start_time"));
            String schedule = slot.path("schedule").asText();
            table.row(String.valueOf(at), Times.inZone(at, scheduleZone(deployment, schedule)), Times.relative(at, now),
                    schedule, Json.string(slot.path("parameters")));
        }
        String name = DeploymentRef.display(deployment);
        String empty;
        if (deployment.path("paused").asBoolean() && deployment.path("resume_at").isNull()) {
            empty = pausedLine(deployment);
        } else if (deployment.path("schedules").isEmpty()) {
            empty = "Deployment '" + name + "' has no schedules; add one with: ferry deployment schedule create " + name
                    + " --cron '0 9 * * *'";
        } else {
            empty = "No firings of '" + name + "'" + (to == null ? "" : " before " + to)
                    + " (are its schedules paused or ended? see: ferry deployment schedule ls " + name + ")";
        }
        options.output().list(slots, table, empty);
    }

    @Command(name = "backfill", description = "Create the runs of the firings between two times, as the schedules would "
            + "have (idempotent: a firing that already has its run is not run again).")
    void backfill(@Mixin ApiOptions options, @Parameters(paramLabel = "FLOW/NAME|ID") String ref,
                  @Option(names = "--from", required = true, paramLabel = "TIME",
                          description = "First firing time, inclusive (ISO-8601, e.g. 2026-01-01T00:00:00Z).") String from,
                  @Option(names = "--to", required = true, paramLabel = "TIME", description = "End, exclusive (ISO-8601).")
                  String to,
                  @Option(names = "--dry-run", description = "List the firings; create nothing.") boolean dryRun) {
        ZoneId zone = ZoneId.systemDefault();
        Instant start = StartTimes.instant("--from", from, zone);
        Instant end = StartTimes.instant("--to", to, zone);
        if (!end.isAfter(start)) throw new UsageError("--to " + end + " must be after --from " + start);
        FerryApi api = options.api();
        JsonNode deployment = DeploymentRef.parse(ref).fetch(api);
        ObjectNode request = Json.MAPPER.createObjectNode().put("start", start.toString()).put("end", end.toString())
                .put("dry_run", dryRun);
        List<JsonNode> slots = api.backfill(deployment.path("id").asText(), request);
        Output out = options.output();
        if (out.json()) {
            out.print(slots);
            return;
        }
        String name = DeploymentRef.display(deployment);
        Table table = dryRun
                ? Table.of("Backfill of '" + name + "' (dry run)", "Scheduled Start (UTC)", "Schedule", "Parameters")
                : Table.of("Backfill of '" + name + "'", "Scheduled Start (UTC)", "Schedule", "Flow Run ID", "Run", "Parameters");
        int created = 0;
        for (JsonNode slot : slots) {
            String at = slot.path("scheduled_start_time").asText();
            String parameters = Json.string(slot.path("parameters"));
            if (dryRun) {
                table.row(at, slot.path("schedule").asText(), parameters);
                continue;
            }
            boolean made = slot.path("created").asBoolean();
            if (made) created++;
            table.row(at, slot.path("schedule").asText(), slot.path("flow_run_id").asText(null),
                    slot.path("flow_run_id").isNull() ? "not created" : made ? "created" : "existed", parameters);
        }
        if (!table.isEmpty()) out.print(table);
        String range = "from " + start + " to " + end;
        if (slots.isEmpty()) {
            out.line("No firings of '" + name + "' " + range);
        } else if (dryRun) {
            out.line(count(slots.size(), "firing") + " " + range + "; run again without --dry-run to create their runs");
        } else {
            out.line("Created " + count(created, "run") + " for " + count(slots.size(), "firing") + " " + range
                    + (slots.size() > created ? " (" + (slots.size() - created) + " had their run already or were refused)" : ""));
        }
    }

    @Command(name = "delete", description = "Delete a deployment.")
    void delete(@Mixin ApiOptions options, @Parameters(paramLabel = "FLOW/NAME|ID") String ref) {
        FerryApi api = options.api();
        JsonNode deployment = DeploymentRef.parse(ref).fetch(api);
        api.deleteDeployment(deployment.path("id").asText());
        if (!options.output().json()) options.output().line("Deleted deployment '" + DeploymentRef.display(deployment) + "'");
    }

    /** "Deployment 'f/d' is paused until T (the note); resume it with: ...". */
    static String pausedLine(JsonNode deployment) {
        String name = DeploymentRef.display(deployment);
        StringBuilder line = new StringBuilder("Deployment '" + name + "' is paused");
        Instant until = Times.instant(deployment.get("resume_at"));
        if (until != null) line.append(" until ").append(until);
        String note = deployment.path("pause_note").asText("");
        if (!note.isBlank()) line.append(" (").append(note).append(")");
        line.append(until == null ? "; resume it with: ferry deployment resume " + name
                : "; it resumes by itself, or now with: ferry deployment resume " + name);
        return line.toString();
    }

    /** The zone a schedule reads its cron or rrule in: what "9:00" means to the person who wrote it. */
    static ZoneId scheduleZone(JsonNode deployment, String slug) {
        for (JsonNode schedule : deployment.path("schedules")) {
            if (!slug.equals(schedule.path("slug").asText())) continue;
            try {
                return ZoneId.of(schedule.path("timezone").asText("UTC"));
            } catch (DateTimeException e) {
                return ZoneOffset.UTC;
            }
        }
        return ZoneOffset.UTC;
    }

    /** "Deployment 'f/d' is paused (by X: the note); the run waits until it is resumed ...". */
    static String waitsWhilePaused(JsonNode deployment) {
        String name = DeploymentRef.display(deployment);
        StringBuilder line = new StringBuilder("Deployment '" + name + "' is paused");
        String by = deployment.path("paused_by").asText("");
        String note = deployment.path("pause_note").asText("");
        if (!by.isBlank() || !note.isBlank()) {
            line.append(" (").append(by.isBlank() ? "" : "by " + by).append(!by.isBlank() && !note.isBlank() ? ": " : "")
                    .append(note).append(")");
        }
        Instant until = Times.instant(deployment.get("resume_at"));
        line.append("; the run waits until it is resumed");
        line.append(until == null ? ". Resume it with: ferry deployment resume " + name
                : ", by itself at " + until + " or now with: ferry deployment resume " + name);
        return line.toString();
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
