package dev.ferry.core.api;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * An HTTP request as the router sees it, whatever carried it (the embedded HTTP server or an
 * API Gateway event). Header names are lower case.
 *
 * @param timeLeft how long the edge can wait for the answer (a Lambda's time to its deadline), so
 *                 a long poll ends in time; null when nothing bounds it but the request itself
 */
public record ApiRequest(String method, String path, Map<String, List<String>> query, Map<String, String> headers,
                         byte[] body, Duration timeLeft) {

    public ApiRequest(String method, String path, Map<String, List<String>> query, Map<String, String> headers,
                      byte[] body) {
        this(method, path, query, headers, body, null);
    }

    public ApiRequest withTimeLeft(Duration left) {
        return new ApiRequest(method, path, query, headers, body, left);
    }

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
