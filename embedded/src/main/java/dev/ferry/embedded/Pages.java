package dev.ferry.embedded;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Json;
import dev.ferry.core.common.Page;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * Lists in pages. Cursors are URL-safe base64 of a JSON array {@code [list, sort key...]}; the
 * list tag makes a cursor from one list useless on another instead of silently skipping rows.
 */
final class Pages {
    static final String DEPLOYMENTS = "deployments";
    static final String RUNS = "flow_runs";
    static final String RUNS_DUE = "flow_runs_due";
    static final String DEPLOYMENTS_TO_HEAL = "deployments_to_heal";
    static final String VALUES_DUE = "named_values_due";

    private Pages() {}

    static void checkLimit(int limit) {
        if (limit < 1) throw new IllegalArgumentException("page limit must be at least 1 (got " + limit + ")");
    }

    /** {@code found} holds up to {@code limit + 1} rows: one more than the page says there is a next one. */
    static <T> Page<T> page(List<T> found, int limit, Function<T, String> cursorOf) {
        if (found.size() <= limit) return new Page<>(Collections.unmodifiableList(found), null);
        List<T> items = List.copyOf(found.subList(0, limit));
        return new Page<>(items, cursorOf.apply(items.get(limit - 1)));
    }

    static String cursor(String list, Object... key) {
        List<Object> parts = new ArrayList<>();
        parts.add(list);
        parts.addAll(Arrays.asList(key));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.bytes(parts));
    }

    /** The cursor's array; a {@link BadInput} naming {@code next} for anything but a cursor of {@code list}. */
    static JsonNode after(String cursor, String list) {
        try {
            JsonNode node = Json.MAPPER.readTree(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
            if (node != null && node.isArray() && node.size() == 3 && list.equals(node.get(0).asText())
                    && (list.equals(RUNS) || list.equals(RUNS_DUE) || list.equals(DEPLOYMENTS_TO_HEAL) || list.equals(VALUES_DUE)
                    ? node.get(1).isIntegralNumber() : node.get(1).isTextual())
                    && node.get(2).isTextual()) {
                return node;
            }
        } catch (IllegalArgumentException | JsonProcessingException e) {
            // fall through to the caller-facing error
        }
        throw BadInput.invalid("next", "'next' is not a cursor of this list; pass the 'next' value of the previous "
                + "page, or leave it out for the first page");
    }
}
