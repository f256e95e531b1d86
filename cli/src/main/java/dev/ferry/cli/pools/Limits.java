package dev.ferry.cli.pools;

import com.fasterxml.jackson.databind.JsonNode;

/** How a concurrency limit reads in a table. */
public final class Limits {
    private Limits() {}

    /** The number, or "None" (as Prefect shows it) when there is no limit. */
    public static String show(JsonNode limit) {
        return limit == null || limit.isNull() || limit.isMissingNode() ? "None" : limit.asText();
    }
}
