package dev.ferry.core.api;

import dev.ferry.core.common.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/** An HTTP response as a value. */
public record ApiResponse(int status, Map<String, String> headers, byte[] body) {
    public static final String JSON = "application/json";
    public static final String PROBLEM = "application/problem+json";

    public static ApiResponse json(int status, Object value) {
        return new ApiResponse(status, Map.of("Content-Type", JSON), Json.bytes(value));
    }

    public static ApiResponse noContent() {
        return new ApiResponse(204, Map.of(), new byte[0]);
    }

    public static ApiResponse problem(int status, String detail, String field, Map<String, Object> extra) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "about:blank");
        body.put("title", title(status));
        body.put("status", status);
        body.put("detail", detail);
        if (field != null) body.put("field", field);
        if (extra != null) body.putAll(extra);
        return new ApiResponse(status, Map.of("Content-Type", PROBLEM), Json.bytes(body));
    }

    static String title(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            case 422 -> "Unprocessable Content";
            case 503 -> "Service Unavailable";
            default -> status >= 500 ? "Internal Server Error" : "Error";
        };
    }
}
