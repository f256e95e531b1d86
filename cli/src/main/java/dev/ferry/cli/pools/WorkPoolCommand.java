package dev.ferry.cli.pools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.commands.ApiOptions;
import dev.ferry.cli.commands.Failure;
import dev.ferry.cli.commands.UsageError;
import dev.ferry.cli.output.Output;
import dev.ferry.cli.output.Table;
import dev.ferry.cli.output.Times;
import dev.ferry.core.common.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "work-pool", description = "Create and manage work pools.")
public final class WorkPoolCommand {

    @Command(name = "create", description = "Create a work pool (with a 'default' work queue).")
    void create(@Mixin ApiOptions options,
                @Parameters(paramLabel = "NAME", description = "Name of the new pool.") String name,
                @Option(names = "--type", required = true, paramLabel = "TYPE",
                        description = "process or ecs.") String type,
                @Option(names = "--description", paramLabel = "TEXT") String description,
                @Option(names = "--concurrency-limit", paramLabel = "N",
                        description = "Most runs of this pool running at once.") Integer limit,
                @Option(names = "--paused", description = "Create it paused: nothing is handed out until resumed.")
                boolean paused,
                @Option(names = "--base-job-template", paramLabel = "FILE.json",
                        description = "Base job template to use instead of the type's default.") Path template) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("name", name).put("type", PoolTypes.check("--type", type));
        if (description != null) body.put("description", description);
        if (limit != null) body.put("concurrency_limit", limit);
        if (paused) body.put("is_paused", true);
        if (template != null) body.set("base_job_template", readJsonObject("--base-job-template", template));
        JsonNode pool = options.api().createWorkPool(body);
        Output out = options.output();
        if (out.json()) {
            out.print(pool);
            return;
        }
        out.line("Created work pool '" + name + "' (type " + pool.path("type").asText(type) + ", ID "
                + pool.path("id").asText() + ")");
        out.line("Start a worker to run its flows: ferry worker start --pool '" + name + "'");
    }

    @Command(name = "ls", description = "List work pools.")
    void ls(@Mixin ApiOptions options) {
        List<JsonNode> pools = options.api().workPools();
        Table table = Table.of("Work Pools", "Name", "Type", "ID", "Concurrency Limit", "Status", "Paused");
        for (JsonNode p : pools) {
            table.row(p.path("name").asText(), p.path("type").asText(), p.path("id").asText(),
                    Limits.show(p.path("concurrency_limit")), p.path("status").asText(),
                    String.valueOf(p.path("is_paused").asBoolean()));
        }
        options.output().list(pools, table,
                "No work pools yet; create one with: ferry work-pool create my-pool --type process");
    }

    @Command(name = "inspect", description = "Show a work pool as JSON.")
    void inspect(@Mixin ApiOptions options, @Parameters(paramLabel = "NAME") String name) {
        options.output().print(options.api().workPool(name));
    }

    @Command(name = "preview", description = "What the pool's workers will get soon: the next firings of its deployments' "
            + "schedules, and its scheduled runs (LATE when past their start).")
    void preview(@Mixin ApiOptions options, @Parameters(paramLabel = "NAME") String name,
                 @Option(names = "--hours", paramLabel = "N", defaultValue = "1",
                         description = "How far ahead to look (1 to 744). Default: ${DEFAULT-VALUE}.") int hours,
                 @Option(names = {"-n", "--limit"}, paramLabel = "N", defaultValue = "100",
                         description = "At most this many rows (1 to 1000). Default: ${DEFAULT-VALUE}.") int limit) {
        if (hours < 1 || hours > 744) throw new UsageError("--hours " + hours + " is out of range; accepted: 1 to 744 (31 days)");
        if (limit < 1 || limit > 1000) throw new UsageError("-n " + limit + " is out of range; accepted: 1 to 1000");
        List<JsonNode> items = options.api().poolUpcomingRuns(name, hours, limit);
        Instant now = Instant.now();
        Table table = Table.of("Upcoming runs of work pool '" + name + "'",
                "Scheduled Start (UTC)", "In", "Deployment", "Schedule / Flow Run", "Late");
        for (JsonNode item : items) {
            Instant at = Times.instant(item.get("scheduled_start_time"));
            String source = item.path("flow_run_id").isTextual()
                    ? "run " + item.path("flow_run_id").asText() : "schedule " + item.path("schedule").asText();
            table.row(String.valueOf(at), Times.relative(at, now), item.path("deployment").asText(), source,
                    item.path("late").asBoolean() ? "LATE" : "");
        }
        options.output().list(items, table, "Nothing due in work pool '" + name + "' within " + hours + " hour"
                + (hours == 1 ? "" : "s") + "; look further with --hours");
    }

    @Command(name = "pause", description = "Stop handing out this pool's runs.")
    void pause(@Mixin ApiOptions options, @Parameters(paramLabel = "NAME") String name) {
        update(options, name, Json.MAPPER.createObjectNode().put("is_paused", true), "Paused work pool '" + name + "'");
    }

    @Command(name = "resume", description = "Hand out this pool's runs again.")
    void resume(@Mixin ApiOptions options, @Parameters(paramLabel = "NAME") String name) {
        update(options, name, Json.MAPPER.createObjectNode().put("is_paused", false), "Resumed work pool '" + name + "'");
    }

    @Command(name = "set-concurrency-limit", description = "Limit how many of the pool's runs may run at once.")
    void setConcurrencyLimit(@Mixin ApiOptions options, @Parameters(index = "0", paramLabel = "NAME") String name,
                             @Parameters(index = "1", paramLabel = "N") int limit) {
        update(options, name, Json.MAPPER.createObjectNode().put("concurrency_limit", limit),
                "Set the concurrency limit of work pool '" + name + "' to " + limit);
    }

    @Command(name = "clear-concurrency-limit", description = "Let any number of the pool's runs run at once.")
    void clearConcurrencyLimit(@Mixin ApiOptions options, @Parameters(paramLabel = "NAME") String name) {
        update(options, name, Json.MAPPER.createObjectNode().putNull("concurrency_limit"),
                "Cleared the concurrency limit of work pool '" + name + "'");
    }

    @Command(name = "delete", description = "Delete a work pool and its queues.")
    void delete(@Mixin ApiOptions options, @Parameters(paramLabel = "NAME") String name) {
        options.api().deleteWorkPool(name);
        if (!options.output().json()) options.output().line("Deleted work pool '" + name + "'");
    }

    @Command(name = "get-default-base-job-template",
             description = "Print the default base job template of a pool type (a starting point for --base-job-template).")
    void defaultTemplate(@Mixin ApiOptions options,
                         @Option(names = "--type", required = true, paramLabel = "TYPE",
                                 description = "process or ecs.") String type,
                         @Option(names = "--file", paramLabel = "PATH", description = "Write it to this file.") Path file) {
        JsonNode template = options.api().defaultBaseJobTemplate(PoolTypes.check("--type", type));
        if (file == null) {
            options.output().print(template);
            return;
        }
        try {
            Files.writeString(file, Output.pretty(template) + "\n");
        } catch (IOException e) {
            throw new Failure("cannot write " + file + ": " + e.getMessage(), e);
        }
        options.output().line("Wrote the default " + type + " base job template to " + file);
    }

    private static void update(ApiOptions options, String name, ObjectNode patch, String done) {
        JsonNode pool = options.api().updateWorkPool(name, patch);
        Output out = options.output();
        if (out.json()) out.print(pool);
        else out.line(done);
    }

    static ObjectNode readJsonObject(String option, Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new UsageError(option + " " + file + ": no such file");
        } catch (IOException e) {
            throw new UsageError(option + " " + file + ": cannot read it (" + e.getMessage() + ")");
        }
        try {
            if (Json.tree(text) instanceof ObjectNode object) return object;
        } catch (IllegalArgumentException e) {
            throw new UsageError(option + " " + file + " is not valid JSON (" + e.getMessage() + ")");
        }
        throw new UsageError(option + " " + file + " must hold a JSON object");
    }
}
