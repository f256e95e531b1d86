package dev.ferry.cli.pools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.commands.ApiOptions;
import dev.ferry.cli.output.Output;
import dev.ferry.cli.output.Table;
import dev.ferry.cli.output.Times;
import dev.ferry.core.common.Json;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "work-queue", description = "Create and manage the work queues of a pool.")
public final class WorkQueueCommand {

    @Command(name = "create", description = "Create a work queue in a pool.")
    void create(@Mixin ApiOptions options,
                @Parameters(paramLabel = "NAME") String name,
                @Option(names = {"-p", "--pool"}, required = true, paramLabel = "POOL") String pool,
                @Option(names = "--priority", paramLabel = "N", description = "1 is the highest.") Integer priority,
                @Option(names = "--concurrency-limit", paramLabel = "N") Integer limit,
                @Option(names = "--description", paramLabel = "TEXT") String description) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("name", name);
        if (description != null) body.put("description", description);
        if (priority != null) body.put("priority", priority);
        if (limit != null) body.put("concurrency_limit", limit);
        JsonNode queue = options.api().createWorkQueue(pool, body);
        Output out = options.output();
        if (out.json()) {
            out.print(queue);
            return;
        }
        out.line("Created work queue '" + name + "' in work pool '" + pool + "' (priority "
                + queue.path("priority").asText("?") + ")");
    }

    @Command(name = "ls", description = "List the work queues of a pool, highest priority first.")
    void ls(@Mixin ApiOptions options, @Option(names = {"-p", "--pool"}, required = true, paramLabel = "POOL") String pool) {
        List<JsonNode> queues = options.api().workQueues(pool);
        Instant now = Instant.now();
        Table table = Table.of("Work Queues in pool '" + pool + "'",
                "Name", "Pool", "Priority", "Concurrency Limit", "Status", "Last Polled");
        for (JsonNode q : queues) {
            Instant polled = Times.instant(q.get("last_polled"));
            table.row(q.path("name").asText(), q.path("pool").asText(pool), q.path("priority").asText(),
                    Limits.show(q.path("concurrency_limit")), q.path("status").asText(),
                    polled == null ? "never" : Times.relative(polled, now));
        }
        options.output().list(queues, table, "Work pool '" + pool + "' has no work queues");
    }

    @Command(name = "inspect", description = "Show a work queue as JSON.")
    void inspect(@Mixin ApiOptions options, @Parameters(paramLabel = "NAME") String name,
                 @Option(names = {"-p", "--pool"}, required = true, paramLabel = "POOL") String pool) {
        options.output().print(options.api().workQueue(pool, name));
    }

    @Command(name = "pause", description = "Stop handing out this queue's runs.")
    void pause(@Mixin ApiOptions options, @Parameters(paramLabel = "NAME") String name,
               @Option(names = {"-p", "--pool"}, required = true, paramLabel = "POOL") String pool) {
        update(options, pool, name, Json.MAPPER.createObjectNode().put("is_paused", true),
                "Paused work queue '" + name + "' in work pool '" + pool + "'");
    }

    @Command(name = "resume", description = "Hand out this queue's runs again.")
    void resume(@Mixin ApiOptions options, @Parameters(paramLabel = "NAME") String name,
                @Option(names = {"-p", "--pool"}, required = true, paramLabel = "POOL") String pool) {
        update(options, pool, name, Json.MAPPER.createObjectNode().put("is_paused", false),
                "Resumed work queue '" + name + "' in work pool '" + pool + "'");
    }

    @Command(name = "set-concurrency-limit", description = "Limit how many of the queue's runs may run at once.")
    void setConcurrencyLimit(@Mixin ApiOptions options, @Parameters(index = "0", paramLabel = "NAME") String name,
                             @Parameters(index = "1", paramLabel = "N") int limit,
                             @Option(names = {"-p", "--pool"}, required = true, paramLabel = "POOL") String pool) {
        update(options, pool, name, Json.MAPPER.createObjectNode().put("concurrency_limit", limit),
                "Set the concurrency limit of work queue '" + name + "' to " + limit);
    }

    @Command(name = "clear-concurrency-limit", description = "Let any number of the queue's runs run at once.")
    void clearConcurrencyLimit(@Mixin ApiOptions options, @Parameters(paramLabel = "NAME") String name,
                               @Option(names = {"-p", "--pool"}, required = true, paramLabel = "POOL") String pool) {
        update(options, pool, name, Json.MAPPER.createObjectNode().putNull("concurrency_limit"),
                "Cleared the concurrency limit of work queue '" + name + "'");
    }

    @Command(name = "delete", description = "Delete a work queue (not the pool's default queue).")
    void delete(@Mixin ApiOptions options, @Parameters(paramLabel = "NAME") String name,
                @Option(names = {"-p", "--pool"}, required = true, paramLabel = "POOL") String pool) {
        options.api().deleteWorkQueue(pool, name);
        if (!options.output().json()) {
            options.output().line("Deleted work queue '" + name + "' from work pool '" + pool + "'");
        }
    }

    private static void update(ApiOptions options, String pool, String name, ObjectNode patch, String done) {
        JsonNode queue = options.api().updateWorkQueue(pool, name, patch);
        Output out = options.output();
        if (out.json()) out.print(queue);
        else out.line(done);
    }
}
