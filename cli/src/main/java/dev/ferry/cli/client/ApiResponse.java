package dev.ferry.cli.client;

import com.fasterxml.jackson.databind.JsonNode;

/** A 2xx answer. {@code body} is a missing node for 204 and other empty answers. */
public record ApiResponse(int status, JsonNode body) {
    public boolean created() {
        return status == 201;
    }
}
