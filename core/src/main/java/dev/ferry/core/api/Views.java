package dev.ferry.core.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Json;
import dev.ferry.core.common.Page;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Helpers shared by the route classes: list envelopes, query parameters. */
final class Views {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;

    private Views() {}

    static ObjectNode tree(Object value) {
        return Json.MAPPER.valueToTree(value);
    }

    static Map<String, Object> list(List<?> items, String next) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", items);
        body.put("next", next);
        return body;
    }

    /** A page of records, each shown as {@code view} shapes it. */
    static <T> Map<String, Object> list(Page<T> page, Function<T, ?> view) {
        return list(page.items().stream().map(view).toList(), page.next());
    }

    static int limit(ApiRequest request, int defaultLimit, int max) {
        return intParam(request, "limit", defaultLimit, 1, max);
    }

    static int intParam(ApiRequest request, String name, int defaultValue, long min, long max) {
        String raw = request.queryParam(name);
        if (raw == null || raw.isEmpty()) return defaultValue;
        try {
            long value = Long.parseLong(raw);
            if (value < min || value > max) {
                throw BadInput.invalid(name, "'" + name + "' must be between " + min + " and " + max + " (got " + raw + ")");
            }
            return (int) value;
        } catch (NumberFormatException e) {
            throw BadInput.invalid(name, "'" + name + "' must be an integer (got '" + raw + "')");
        }
    }
}
