package dev.ferry.core.common;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Page cursors of lists in name order: URL-safe base64 of {@code [list, last name]}. The list tag
 * makes a cursor of one list useless on another instead of silently skipping items.
 */
public final class NameCursors {
    private NameCursors() {}

    public static String encode(String list, String lastName) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.bytes(List.of(list, lastName)));
    }

    /**
     * One page of {@code all}, a list held whole (a pool's queues, say), in the order of {@code key}:
     * the items after the cursor's key, at most {@code limit}, with a cursor of the last when more follow.
     */
    public static <T> Page<T> page(String list, List<T> all, Function<T, String> key, int limit, String cursor) {
        String after = cursor == null ? null : decode(list, cursor);
        List<T> rest = all.stream().sorted(Comparator.comparing(key))
                .filter(item -> after == null || key.apply(item).compareTo(after) > 0).toList();
        List<T> items = rest.subList(0, Math.min(limit, rest.size()));
        return new Page<>(items, rest.size() > limit ? encode(list, key.apply(items.get(items.size() - 1))) : null);
    }

    /** The name the page starts after; a {@link BadInput} naming {@code next} for anything but a cursor of {@code list}. */
    public static String decode(String list, String cursor) {
        try {
            JsonNode node = Json.tree(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
            if (node.isArray() && node.size() == 2 && list.equals(node.get(0).asText()) && node.get(1).isTextual()) {
                return node.get(1).asText();
            }
        } catch (IllegalArgumentException e) {
            // fall through to the caller-facing error
        }
        throw BadInput.invalid("next", "'next' is not a cursor of the " + list + " list; pass the 'next' value of the previous "
                + "page, or leave it out for the first page");
    }
}
