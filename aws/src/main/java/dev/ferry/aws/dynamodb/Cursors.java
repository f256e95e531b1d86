package dev.ferry.aws.dynamodb;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Json;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Predicate;

/**
 * Page cursors: URL-safe base64 of {@code [list, last index sort key]}. The next page is the
 * index read from just past that key, so a cursor stays valid however many items come and go;
 * the list tag makes a cursor of one list useless on another instead of silently skipping items.
 */
final class Cursors {
    static final String DEPLOYMENTS = "deployments";
    static final String RUNS = "flow_runs";
    static final String RUNS_DUE = "flow_runs_due";
    static final String DEPLOYMENTS_TO_HEAL = "deployments_to_heal";
    static final String VALUES_DUE = "named_values_due";

    private Cursors() {}

    static String encode(String list, String after) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.bytes(List.of(list, after)));
    }

    /** The sort key the page starts after; a {@link BadInput} naming {@code next} for anything else. */
    static String decode(String cursor, String list, Predicate<String> wellFormed) {
        try {
            JsonNode node = Json.MAPPER.readTree(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
            if (node != null && node.isArray() && node.size() == 2 && list.equals(node.get(0).asText())
                    && node.get(1).isTextual() && wellFormed.test(node.get(1).asText())) {
                return node.get(1).asText();
            }
        } catch (IllegalArgumentException | JsonProcessingException e) {
            // fall through to the caller-facing error
        }
        throw BadInput.invalid("next", "'next' is not a cursor of this list; pass the 'next' value of the previous "
                + "page, or leave it out for the first page");
    }
}
