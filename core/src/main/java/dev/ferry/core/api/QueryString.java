package dev.ferry.core.api;

import dev.ferry.core.common.BadInput;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A raw query string ({@code a=1&a=2&b}) as the router's parameters; repeated keys keep every value. */
public final class QueryString {
    private QueryString() {}

    public static Map<String, List<String>> parse(String raw) {
        Map<String, List<String>> query = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) return query;
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            try {
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                query.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
            } catch (IllegalArgumentException e) {
                throw BadInput.malformed(null, "the query string has a malformed %-escape in '" + pair + "'");
            }
        }
        return query;
    }
}
