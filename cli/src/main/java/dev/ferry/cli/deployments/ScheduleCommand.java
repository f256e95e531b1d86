package dev.ferry.cli.deployments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.client.ApiProblem;
import dev.ferry.cli.client.FerryApi;
import dev.ferry.cli.commands.ApiOptions;
import dev.ferry.cli.commands.DeploymentRef;
import dev.ferry.cli.commands.UsageError;
import dev.ferry.cli.output.Output;
import dev.ferry.cli.output.Table;
import dev.ferry.cli.output.Times;
import dev.ferry.core.common.Json;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry deployment schedule ...}: a deployment's schedules, one by one, by slug. */
@Command(name = "schedule", description = "List, add, change, pause and delete a deployment's schedules.")
public final class ScheduleCommand {
    /** How many upcoming firings {@code ls} reads to find each schedule's next one. */
    private static final int NEXT_LOOKAHEAD = 200;
    private static final Pattern SCHEDULE_FIELD = Pattern.compile("'?schedules\\[\\d+\\](?:\\.([a-z_]+)(?:\\.([a-z_]+))?)?'?");
    private static final Map<String, String> OPTION_OF_FIELD = Map.ofEntries(
            Map.entry("cron", "--cron"), Map.entry("interval", "--interval"), Map.entry("anchor_date", "--anchor-date"),
            Map.entry("rrule", "--rrule"), Map.entry("timezone", "--timezone"), Map.entry("slug", "--slug"),
            Map.entry("dst_policy.nonexistent", "--dst-nonexistent"), Map.entry("dst_policy.ambiguous", "--dst-ambiguous"),
            Map.entry("jitter_seconds", "--jitter"), Map.entry("parameters", "--param"), Map.entry("catchup", "--catchup"),
            Map.entry("catchup_window", "--catchup-window"), Map.entry("start_at", "--start-at"),
            Map.entry("end_at", "--end-at"), Map.entry("active", "--inactive"));

    /** The options that say when a schedule fires; on {@code update}, only those given are sent. */
    static final class Spec {
        @Option(names = "--cron", paramLabel = "EXPR",
                description = "5-field cron (minute hour day-of-month month day-of-week) or @hourly, @daily, ...")
        String cron;

        @Option(names = "--interval", paramLabel = "SECONDS", description = "Every SECONDS of elapsed time (at least 60).")
        Long interval;

        @Option(names = "--anchor-date", paramLabel = "TIME",
                description = "Where --interval counts from (ISO-8601; without an offset it is read in --timezone). "
                        + "Default 2020-01-01T00:00 in --timezone.")
        String anchorDate;

        @Option(names = "--rrule", paramLabel = "RRULE",
                description = "RFC 5545 rule, e.g. 'FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0'; DTSTART and EXDATE "
                        + "lines may come first, separated by newlines or \\n.")
        String rrule;

        @Option(names = "--timezone", paramLabel = "TZ", description = "IANA zone the cron or rrule is read in. Default UTC.")
        String timezone;

        @Option(names = "--dst-nonexistent", paramLabel = "skip|shift",
                description = "A wall time skipped by a DST change: skip the firing, or shift it by the gap.")
        String dstNonexistent;

        @Option(names = "--dst-ambiguous", paramLabel = "first|last|both",
                description = "A wall time that happens twice at a DST change: fire at the first, the last or both.")
        String dstAmbiguous;

        @Option(names = "--jitter", paramLabel = "SECONDS",
                description = "Delay each firing by a fixed per-deployment offset below SECONDS.")
        Integer jitter;

        @Option(names = "--param", paramLabel = "KEY=VALUE",
                description = "Parameter for this schedule's runs, over the deployment's (repeatable; update replaces them all).")
        List<String> params;

        @Option(names = "--params", paramLabel = "JSON", description = "This schedule's parameters as a JSON object.")
        String paramsJson;

        @Option(names = "--catchup", paramLabel = "none|latest|all",
                description = "Firings missed while the server was down or the deployment paused: none (default), "
                        + "the latest one, or all of them within --catchup-window.")
        String catchup;

        @Option(names = "--catchup-window", paramLabel = "SECONDS",
                description = "How far back a missed firing may lie and still be caught up. Default 86400.")
        Long catchupWindow;

        @Option(names = "--start-at", paramLabel = "TIME", description = "No firing before this time (ISO-8601).")
        String startAt;

        @Option(names = "--end-at", paramLabel = "TIME", description = "No firing after this time (ISO-8601).")
        String endAt;

        /** The schedule's fields as the API names them; {@code current} is the stored schedule on update, else null. */
        ObjectNode body(JsonNode deployment, JsonNode current, ZoneId zone) {
            ObjectNode body = Json.MAPPER.createObjectNode();
            if (cron != null) body.put("cron", cron);
            if (interval != null) body.put("interval", interval);
            if (anchorDate != null) body.put("anchor_date", anchorDate);
            if (rrule != null) body.put("rrule", rrule.replace("\\n", "\n"));
            if (timezone != null) body.put("timezone", timezone);
            if (dstNonexistent != null || dstAmbiguous != null) {
                // PATCH replaces the whole object: keep the half the user did not name.
                ObjectNode dst = current != null && current.path("dst_policy").isObject()
                        ? ((ObjectNode) current.get("dst_policy")).deepCopy() : Json.MAPPER.createObjectNode();
                if (dstNonexistent != null) dst.put("nonexistent", dstNonexistent.toLowerCase());
                if (dstAmbiguous != null) dst.put("ambiguous", dstAmbiguous.toLowerCase());
                body.set("dst_policy", dst);
            }
            if (jitter != null) body.put("jitter_seconds", jitter);
            if (params != null || paramsJson != null) {
                body.set("parameters", ParameterValues.of(paramsJson, params, deployment.get("parameter_openapi_schema")));
            }
            if (catchup != null) body.put("catchup", catchup.toLowerCase());
            if (catchupWindow != null) body.put("catchup_window", catchupWindow);
            if (startAt != null) body.put("start_at", StartTimes.instant("--start-at", startAt, zone).toString());
            if (endAt != null) body.put("end_at", StartTimes.instant("--end-at", endAt, zone).toString());
            return body;
        }

        int kinds() {
            return (cron != null ? 1 : 0) + (interval != null ? 1 : 0) + (rrule != null ? 1 : 0);
        }
    }

    @Command(name = "ls", description = "List a deployment's schedules and when each fires next.")
    void ls(@Mixin ApiOptions options, @Parameters(paramLabel = "FLOW/NAME|ID") String ref) {
        FerryApi api = options.api();
        JsonNode deployment = DeploymentRef.parse(ref).fetch(api);
        String id = deployment.path("id").asText();
        List<JsonNode> schedules = api.schedules(id);
        Output out = options.output();
        if (out.json()) {
            out.print(schedules);
            return;
        }
        Map<String, Instant> next = new HashMap<>();
        if (!schedules.isEmpty()) {
            for (JsonNode slot : api.upcomingRuns(id, null, null, NEXT_LOOKAHEAD)) {
                next.putIfAbsent(slot.path("schedule").asText(), Times.instant(slot.get("scheduled_start_time")));
            }
        }
        Instant now = Instant.now();
        Table table = Table.of("Schedules of '" + DeploymentRef.display(deployment) + "'",
                "Slug", "Schedule", "Timezone", "Active", "Catchup", "Next Firing (UTC)", "In");
        for (JsonNode s : schedules) {
            Instant at = next.get(s.path("slug").asText());
            table.row(s.path("slug").asText(), describe(s), s.path("timezone").asText("UTC"),
                    String.valueOf(s.path("active").asBoolean(true)), s.path("catchup").asText("none"),
                    at == null ? "-" : at.toString(), at == null ? "-" : Times.relative(at, now));
        }
        out.list(schedules, table, "Deployment '" + DeploymentRef.display(deployment) + "' has no schedules; add one with: "
                + "ferry deployment schedule create " + DeploymentRef.display(deployment) + " --cron '0 9 * * *'");
        if (!schedules.isEmpty() && deployment.path("paused").asBoolean()) {
            out.line(DeploymentCommand.pausedLine(deployment));
        }
    }

    @Command(name = "create", description = "Add a schedule to a deployment: give one of --cron, --interval, --rrule.")
    void create(@Mixin ApiOptions options, @Parameters(paramLabel = "FLOW/NAME|ID") String ref, @Mixin Spec spec,
                @Option(names = "--slug", paramLabel = "SLUG",
                        description = "Name of the schedule within the deployment. Default: derived from its content.")
                String slug,
                @Option(names = "--inactive", description = "Create it switched off (resume it later).") boolean inactive) {
        if (spec.kinds() != 1) {
            throw new UsageError("give exactly one of --cron, --interval, --rrule (got " + spec.kinds() + ")");
        }
        FerryApi api = options.api();
        JsonNode deployment = DeploymentRef.parse(ref).fetch(api);
        ObjectNode body = spec.body(deployment, null, ZoneId.systemDefault());
        if (slug != null) body.put("slug", slug);
        if (inactive) body.put("active", false);
        JsonNode created = withOptionNames(() -> api.createSchedule(deployment.path("id").asText(), body));
        Output out = options.output();
        if (out.json()) {
            out.print(created);
            return;
        }
        out.line("Created schedule '" + created.path("slug").asText() + "' (" + describe(created) + ") of '"
                + DeploymentRef.display(deployment) + "'");
        out.line("See its next firings with: ferry deployment upcoming " + DeploymentRef.display(deployment));
    }

    @Command(name = "update", description = "Change a schedule: only the options given change "
            + "(a new --cron, --interval or --rrule replaces the schedule's kind).")
    void update(@Mixin ApiOptions options,
                @Parameters(index = "0", paramLabel = "FLOW/NAME|ID") String ref,
                @Parameters(index = "1", paramLabel = "SLUG") String slug,
                @Mixin Spec spec) {
        if (spec.kinds() > 1) throw new UsageError("give at most one of --cron, --interval, --rrule (got " + spec.kinds() + ")");
        FerryApi api = options.api();
        JsonNode deployment = DeploymentRef.parse(ref).fetch(api);
        String id = deployment.path("id").asText();
        JsonNode current = null;
        if (spec.dstNonexistent != null || spec.dstAmbiguous != null) {
            current = api.schedules(id).stream().filter(s -> slug.equals(s.path("slug").asText())).findFirst().orElse(null);
        }
        ObjectNode patch = spec.body(deployment, current, ZoneId.systemDefault());
        if (patch.isEmpty()) throw new UsageError("nothing to change; give the options to change, e.g. --cron '0 9 * * *'");
        JsonNode updated = withOptionNames(() -> api.updateSchedule(id, slug, patch));
        done(options, updated, "Updated schedule '" + slug + "' (" + describe(updated) + ") of '"
                + DeploymentRef.display(deployment) + "'");
    }

    @Command(name = "pause", description = "Switch a schedule off: it fires nothing until resumed (it is kept).")
    void pause(@Mixin ApiOptions options,
               @Parameters(index = "0", paramLabel = "FLOW/NAME|ID") String ref,
               @Parameters(index = "1", paramLabel = "SLUG") String slug) {
        setActive(options, ref, slug, false);
    }

    @Command(name = "resume", description = "Switch a schedule back on; it fires from now on.")
    void resume(@Mixin ApiOptions options,
                @Parameters(index = "0", paramLabel = "FLOW/NAME|ID") String ref,
                @Parameters(index = "1", paramLabel = "SLUG") String slug) {
        setActive(options, ref, slug, true);
    }

    @Command(name = "delete", description = "Delete a schedule; its pending firing is dropped.")
    void delete(@Mixin ApiOptions options,
                @Parameters(index = "0", paramLabel = "FLOW/NAME|ID") String ref,
                @Parameters(index = "1", paramLabel = "SLUG") String slug) {
        FerryApi api = options.api();
        JsonNode deployment = DeploymentRef.parse(ref).fetch(api);
        api.deleteSchedule(deployment.path("id").asText(), slug);
        if (!options.output().json()) {
            options.output().line("Deleted schedule '" + slug + "' of '" + DeploymentRef.display(deployment) + "'");
        }
    }

    private static void setActive(ApiOptions options, String ref, String slug, boolean active) {
        FerryApi api = options.api();
        JsonNode deployment = DeploymentRef.parse(ref).fetch(api);
        JsonNode updated = api.updateSchedule(deployment.path("id").asText(), slug,
                Json.MAPPER.createObjectNode().put("active", active));
        done(options, updated, (active ? "Resumed" : "Paused") + " schedule '" + slug + "' of '"
                + DeploymentRef.display(deployment) + "'");
    }

    private static void done(ApiOptions options, JsonNode schedule, String message) {
        Output out = options.output();
        if (out.json()) out.print(schedule);
        else out.line(message);
    }

    /** "cron 0 9 * * *", "interval 3600s", "rrule FREQ=WEEKLY;BYDAY=MO". */
    static String describe(JsonNode schedule) {
        if (schedule.hasNonNull("cron")) return "cron " + schedule.get("cron").asText();
        if (schedule.hasNonNull("interval")) return "interval " + schedule.get("interval").asText() + "s";
        if (schedule.hasNonNull("rrule")) return "rrule " + schedule.get("rrule").asText().strip().replace("\n", " ");
        return "-";
    }

    /**
     * The server names a schedule's fields as they sit in the deployment ({@code schedules[2].cron});
     * the person at the terminal typed {@code --cron}.
     */
    private static JsonNode withOptionNames(Supplier<JsonNode> call) {
        try {
            return call.get();
        } catch (ApiProblem problem) {
            String detail = problem.getMessage();
            if (detail == null || !SCHEDULE_FIELD.matcher(detail).find()) throw problem;
            Matcher m = SCHEDULE_FIELD.matcher(detail);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String field = m.group(1) == null ? null : m.group(2) == null ? m.group(1) : m.group(1) + "." + m.group(2);
                String option = field == null ? "the schedule"
                        : OPTION_OF_FIELD.getOrDefault(field, OPTION_OF_FIELD.getOrDefault(m.group(1), field));
                m.appendReplacement(out, Matcher.quoteReplacement(option));
            }
            m.appendTail(out);
            String field = problem.field();
            if (field != null) {
                Matcher f = SCHEDULE_FIELD.matcher(field);
                if (f.matches() && f.group(1) != null) {
                    String name = f.group(2) == null ? f.group(1) : f.group(1) + "." + f.group(2);
                    field = OPTION_OF_FIELD.getOrDefault(name, OPTION_OF_FIELD.getOrDefault(f.group(1), field));
                }
            }
            throw new ApiProblem(problem.status(), out.toString(), field, problem.body());
        }
    }
}
