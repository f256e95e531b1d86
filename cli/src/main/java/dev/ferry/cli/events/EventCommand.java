package dev.ferry.cli.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.client.ApiClient;
import dev.ferry.cli.client.FerryApi;
import dev.ferry.cli.client.Retry;
import dev.ferry.cli.commands.ApiOptions;
import dev.ferry.cli.commands.KeyValues;
import dev.ferry.cli.commands.UsageError;
import dev.ferry.cli.deployments.StartTimes;
import dev.ferry.cli.output.Output;
import dev.ferry.cli.output.Printable;
import dev.ferry.cli.output.Table;
import dev.ferry.cli.output.Times;
import dev.ferry.core.common.Json;
import dev.ferry.core.events.Resource;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "event", description = "Emit events of your own, list events, or follow them as they happen.")
public final class EventCommand {
    private static final String RELATED_SPEC = "id=ID,role=ROLE[,name=NAME]";

    @Command(name = "emit", description = "Emit one event (names starting with 'ferry.' are Ferry's own). "
            + "An ID sent before is not stored again.",
            footer = {"", "Example:",
                    "  ferry event emit acme.table.refreshed --resource-id acme.table.orders \\",
                    "    --resource-name orders --related id=acme.team.data,role=team \\",
                    "    --payload '{\"rows\": 1200}'"})
    void emit(@Mixin ApiOptions options,
              @Parameters(paramLabel = "EVENT", description = "Its name, e.g. acme.table.refreshed.") String event,
              @Option(names = "--resource-id", required = true, paramLabel = "ID",
                      description = "What it happened to, e.g. acme.table.orders.") String resourceId,
              @Option(names = "--resource-name", paramLabel = "NAME",
                      description = "The resource's name, which lists show instead of its ID.") String resourceName,
              @Option(names = "--label", paramLabel = "KEY=VALUE",
                      description = "Another label of the resource (repeatable).") List<String> labels,
              @Option(names = "--related", paramLabel = RELATED_SPEC,
                      description = "A resource the event concerns too, e.g. id=acme.team.data,role=team (repeatable).")
              List<String> related,
              @Option(names = "--payload", paramLabel = "JSON",
                      description = "A JSON object of details, e.g. '{\"rows\": 1200}'.") String payload,
              @Option(names = "--payload-file", paramLabel = "FILE",
                      description = "The payload from a file of JSON.") Path payloadFile,
              @Option(names = "--id", paramLabel = "ID",
                      description = "The event's ID, to send it again without storing it twice. Default: a new one.")
              String id,
              @Option(names = "--occurred", paramLabel = "ISO-8601",
                      description = "When it happened, e.g. 2026-01-31T12:00:00Z (local time without an offset). "
                              + "Default: now.") String occurred) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        if (id != null) body.put("id", id);
        if (occurred != null) body.put("occurred", StartTimes.instant("--occurred", occurred, ZoneId.systemDefault()).toString());
        body.put("event", event);
        body.set("resource", resource(resourceId, resourceName, labels));
        if (related != null && !related.isEmpty()) {
            ArrayNode array = body.putArray("related");
            related.forEach(spec -> array.add(related(spec)));
        }
        ObjectNode details = payload(payload, payloadFile);
        if (details != null) body.set("payload", details);

        ArrayNode batch = Json.MAPPER.createArrayNode().add(body);
        JsonNode answer = options.api().emitEvents(batch);
        Output out = options.output();
        if (out.json()) {
            out.print(answer);
            return;
        }
        JsonNode duplicates = answer.path("duplicates");
        if (duplicates.isArray() && !duplicates.isEmpty()) {
            out.line("Event " + duplicates.get(0).asText() + " was stored before; not stored again (a duplicate)");
        } else {
            out.line("Emitted event '" + event + "': " + answer.path("accepted").path(0).asText());
        }
    }

    @Command(name = "ls", description = "List events, newest first.",
            footer = {"", "Examples:",
                    "  ferry event ls --event 'ferry.flow-run.*' --limit 50",
                    "  ferry event ls --resource acme.table.orders --since 2026-01-31T00:00:00Z"})
    void ls(@Mixin ApiOptions options, @Mixin EventFilterOptions filter,
            @Option(names = "--since", paramLabel = "ISO-8601",
                    description = "Only events that occurred at or after this time. Default: as far back as events are kept.")
            String since,
            @Option(names = "--until", paramLabel = "ISO-8601",
                    description = "Only events that occurred up to this time.") String until,
            @Option(names = "--limit", paramLabel = "N", defaultValue = "20",
                    description = "At most this many. Default: ${DEFAULT-VALUE}.") int limit) {
        if (limit < 1) throw new UsageError("--limit must be 1 or more (got " + limit + ")");
        ZoneId zone = ZoneId.systemDefault();
        FerryApi.EventQuery query = filter.query(time("--since", since, zone), time("--until", until, zone));
        FerryApi.Listed listed = options.api().events(query, limit);
        Table table = Table.of("Events", "Occurred", "Event", "Resource", "Id");
        for (JsonNode e : listed.items()) {
            table.row(Times.local(Times.instant(e.get("occurred")), zone), e.path("event").asText(), resource(e),
                    e.path("id").asText());
        }
        Output out = options.output();
        out.list(listed.items(), table, "No events match");
        if (listed.more() && !out.json()) {
            out.line("More events match: show more with --limit " + Math.max(limit * 2, limit + 20)
                    + ", or older ones with --until");
        }
    }

    @Command(name = "stream", description = "Print events as they happen, oldest first, until interrupted "
            + "(or --count of them); with -o json, one JSON object per line. Outages of the API are waited out.",
            footer = {"", "Examples:",
                    "  ferry event stream --event 'ferry.flow-run.*'",
                    "  ferry event stream --event acme.table.refreshed --count 1 -o json"})
    void stream(@Mixin ApiOptions options, @Mixin EventFilterOptions filter,
                @Option(names = "--since", paramLabel = "ISO-8601",
                        description = "Start with the events that occurred at or after this time. Default: now.")
                String since,
                @Option(names = "--count", paramLabel = "N",
                        description = "Exit after this many events. Default: never.") Long count) {
        if (count != null && count < 1) throw new UsageError("--count must be 1 or more (got " + count + ")");
        ZoneId zone = ZoneId.systemDefault();
        Instant from = since == null ? Instant.now() : time("--since", since, zone);
        FerryApi.EventQuery query = filter.query(from, null);
        Output out = options.output();
        PrintWriter writer = out.writer();
        PrintWriter err = options.err();
        // The notices go to stderr: with --output json, stdout stays one JSON object per line.
        FerryApi retrying = new FerryApi(new ApiClient(options.url(), options.apiKey(), Retry.untilBack(notice -> {
            err.println(notice);
            err.flush();
        })));
        EventStream stream = new EventStream(options.api(), retrying, event -> {
            writer.println(out.json() ? Output.compact(event) : Printable.text(Times.local(Times.instant(event.get("occurred")),
                    zone) + "  " + event.path("event").asText() + "  " + resource(event)));
            writer.flush();
        });
        Thread hook = stream.stopper(Thread.currentThread());
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            stream.follow(query, count == null ? 0 : count);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down: the hook has stopped the stream
            }
        }
    }

    static ObjectNode resource(String id, String name, List<String> labels) {
        ObjectNode resource = Json.MAPPER.createObjectNode().put(Resource.ID, id);
        if (name != null) resource.put(Resource.NAME, name);
        if (labels == null) return resource;
        for (String pair : labels) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? "" : pair.substring(0, eq).strip();
            if (key.isEmpty()) throw new UsageError("--label '" + pair + "' must look like key=value, e.g. acme.env=prod");
            if (key.equals(Resource.ID) || key.equals(Resource.NAME)) {
                throw new UsageError("--label '" + pair + "' sets " + key + "; give it with --resource-"
                        + (key.equals(Resource.ID) ? "id" : "name") + " instead");
            }
            resource.put(key, pair.substring(eq + 1));
        }
        return resource;
    }

    /** {@code id=ID,role=ROLE[,name=NAME]} as the related resource's labels. */
    static ObjectNode related(String spec) {
        ObjectNode labels = Json.MAPPER.createObjectNode();
        for (String part : spec.split(",", -1)) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new UsageError("--related '" + spec + "' must look like " + RELATED_SPEC
                        + ", e.g. id=acme.team.data,role=team");
            }
            String key = part.substring(0, eq).strip();
            String value = part.substring(eq + 1).strip();
            String label = switch (key) {
                case "id" -> Resource.ID;
                case "role" -> Resource.ROLE;
                case "name" -> Resource.NAME;
                default -> throw new UsageError("--related '" + spec + "' has an unknown key '" + key
                        + "'; accepted: id, role, name");
            };
            if (value.isEmpty()) throw new UsageError("--related '" + spec + "' has an empty " + key);
            if (labels.has(label)) throw new UsageError("--related '" + spec + "' gives " + key + " twice");
            labels.put(label, value);
        }
        if (!labels.has(Resource.ID) || !labels.has(Resource.ROLE)) {
            throw new UsageError("--related '" + spec + "' needs both id= and role=, e.g. id=acme.team.data,role=team");
        }
        return labels;
    }

    static ObjectNode payload(String json, Path file) {
        if (json != null && file != null) throw new UsageError("give --payload or --payload-file, not both");
        if (json != null) return KeyValues.object("--payload", json);
        if (file == null) return null;
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UsageError("--payload-file '" + file + "' does not exist");
        } catch (IOException e) {
            throw new UsageError("--payload-file '" + file + "' cannot be read: " + e.getMessage());
        }
        return KeyValues.object("--payload-file '" + file + "'", text);
    }

    private static Instant time(String option, String text, ZoneId zone) {
        return text == null ? null : StartTimes.instant(option, text, zone);
    }

    /** The name a person gave the resource, else its ID. */
    private static String resource(JsonNode event) {
        JsonNode labels = event.path("resource");
        JsonNode name = labels.path(Resource.NAME);
        return name.isTextual() && !name.asText().isBlank() ? name.asText() : labels.path(Resource.ID).asText();
    }
}
