package dev.ferry.core.common;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * How much free-form JSON a record keeps. A run carries its parameters and job variables into
 * every claim, every list and (on DynamoDB) one item of at most 400 KB beside its history, and a
 * backfill copies them into each run it makes: so each is bounded where it is given.
 */
public final class JsonSizes {
    /** For a run's or a deployment's parameters, job variables and parameter schema, each. */
    public static final int MAX_BYTES = 64 * 1024;

    private JsonSizes() {}

    /** {@code value}, or a 422 naming {@code field} when its JSON is over {@link #MAX_BYTES}. */
    public static <T extends JsonNode> T check(String field, T value) {
        if (value == null) return null;
        int bytes = Json.bytes(value).length;
        if (bytes > MAX_BYTES) {
            throw BadInput.invalid(field, "'" + field + "' is " + bytes + " bytes as JSON; at most " + MAX_BYTES
                    + " are kept (pass large inputs by reference: a path, a URL, a key)");
        }
        return value;
    }
}
