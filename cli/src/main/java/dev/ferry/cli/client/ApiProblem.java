package dev.ferry.cli.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The API refused a request: an RFC 9457 problem (or whatever the server sent instead).
 * {@code body} is kept whole because a refused state transition carries the run's current state.
 */
public final class ApiProblem extends RuntimeException {
    private final int status;
    private final String field;
    private final transient JsonNode body;

    public ApiProblem(int status, String detail, String field, JsonNode body) {
        super(detail);
        this.status = status;
        this.field = field;
        this.body = body;
    }

    public int status() {
        return status;
    }

    /** The offending field's dotted path, or null when the problem is not about one field. */
    public String field() {
        return field;
    }

    /** The problem document as sent; a missing node when the server sent no JSON. */
    public JsonNode body() {
        return body;
    }

    /** The detail, naming the field when the server's wording does not already. */
    public String describe() {
        String detail = getMessage();
        if (field == null || field.isBlank() || detail.contains(field)) return detail;
        return detail + " (field '" + field + "')";
    }
}
