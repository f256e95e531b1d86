package dev.ferry.cli.events;

import dev.ferry.cli.client.FerryApi;
import dev.ferry.cli.commands.UsageError;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Option;

/** Which events {@code ferry event ls} and {@code stream} show; the server matches the patterns. */
public final class EventFilterOptions {
    static final String PATTERNS = " A trailing * matches any suffix, a leading ! negates (repeatable).";

    @Option(names = "--event", paramLabel = "PATTERN",
            description = "Only events named so, e.g. ferry.flow-run.* or acme.table.refreshed." + PATTERNS)
    List<String> events;

    @Option(names = "--resource", paramLabel = "PATTERN",
            description = "Only events about a resource with this ID, e.g. ferry.flow-run.*." + PATTERNS)
    List<String> resources;

    @Option(names = "--label", paramLabel = "KEY=PATTERN",
            description = "Only events whose resource has this label, e.g. ferry.resource.name=nightly*"
                    + " (repeatable; patterns of one key are alternatives).")
    List<String> labels;

    @Option(names = "--related", paramLabel = "PATTERN",
            description = "Only events related to a resource with this ID, e.g. ferry.deployment.<id>." + PATTERNS)
    List<String> related;

    FerryApi.EventQuery query(Instant since, Instant until) {
        List<String> given = labels == null ? List.of() : List.copyOf(labels);
        for (String label : given) {
            int eq = label.indexOf('=');
            if (eq <= 0 || label.substring(0, eq).isBlank()) {
                throw new UsageError("--label '" + label + "' must look like key=pattern, e.g. ferry.resource.name=nightly*");
            }
        }
        return new FerryApi.EventQuery(list(events), list(resources), given, list(related), since, until);
    }

    private static List<String> list(List<String> values) {
        return values == null ? List.of() : List.copyOf(values);
    }
}
