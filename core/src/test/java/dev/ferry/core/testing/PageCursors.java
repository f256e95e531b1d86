package dev.ferry.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Json;
import dev.ferry.core.common.Page;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/**
 * Page cursors of the in-memory stores, shaped as the SQLite store's: URL-safe base64 of a JSON
 * array {@code [list, sort key...]}. The list tag makes a cursor of one list useless on another
 * instead of silently skipping items.
 */
public final class PageCursors {

    private PageCursors() {}

    public static String encode(String list, String... key) {
        List<String> parts = new ArrayList<>();
        parts.add(list);
        parts.addAll(List.of(key));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.bytes(parts));
    }

    /**
     * The position a page of {@code list} starts after, read by {@code position} from the sort key;
     * the adapters' {@link BadInput} naming {@code next} for a cursor the list did not issue.
     */
    public static <P> P decode(String cursor, String list, Function<List<String>, P> position) {
        try {
            JsonNode node = Json.MAPPER.readTree(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
            if (node != null && node.isArray() && node.size() > 1 && list.equals(node.get(0).asText())) {
                List<String> key = new ArrayList<>();
                for (int i = 1; i < node.size(); i++) {
                    if (!node.get(i).isTextual()) throw new IllegalArgumentException("not a sort key: " + node.get(i));
                    key.add(node.get(i).asText());
                }
                return position.apply(key);
            }
        } catch (Exception e) {
            // whatever the list cannot read as its own position, it refuses alike
        }
        throw BadInput.invalid("next", "'next' is not a cursor of this list; pass the 'next' value of the previous "
                + "page, or leave it out for the first page");
    }

    /** The first {@code limit} of {@code rest} (sorted, and past the cursor), with a cursor when more follow. */
    public static <T> Page<T> page(List<T> rest, int limit, Function<T, String> cursorOf) {
        if (limit < 1) throw new IllegalArgumentException("page limit must be at least 1 (got " + limit + ")");
        if (rest.size() <= limit) return new Page<>(List.copyOf(rest), null);
        List<T> items = List.copyOf(rest.subList(0, limit));
        return new Page<>(items, cursorOf.apply(items.get(limit - 1)));
    }
}
