package dev.ferry.core.api;

import java.util.List;
import java.util.Map;

/**
 * An HTTP request as the router sees it, whatever carried it (the embedded HTTP server or an
 * API Gateway event). Header names are lower case.
 */
public record ApiRequest(String method, String path, Map<String, List<String>> query, Map<String, String> headers,
                         byte[] body) {

    public String header(String name) {
        return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }

    public String queryParam(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public List<String> queryParams(String name) {
        return query.getOrDefault(name, List.of());
    }
}
