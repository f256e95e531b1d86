package dev.ferry.core.api;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps a web page the user happens to have open from driving the API. A page may send a request
 * to any address, and for a "simple" one (a form post, {@code text/plain}) the browser asks no one
 * first, so the server must tell. A request that changes something is refused when a browser says
 * it comes from another site ({@code Sec-Fetch-Site}) or from another origin ({@code Origin}), and
 * a body must be JSON, which no simple request can send. Clients that are not browsers (the CLI,
 * workers, curl) send neither header and are unaffected; the web UI is same-origin.
 */
final class BrowserGuard {
    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

    private BrowserGuard() {}

    /** The answer for a request a page of another site may have sent, or empty to go on. */
    static Optional<ApiResponse> refusal(ApiRequest request) {
        // a webhook's address is for other servers, in whatever content type they send; its slug and signature guard it
        if (SAFE.contains(request.method()) || request.path().startsWith("/hooks/")) return Optional.empty();
        String site = request.header("sec-fetch-site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) {
            return Optional.of(ApiResponse.problem(403, "refused a " + site + " request: a web page of another site "
                    + "may not change anything on this server", null, null));
        }
        String origin = request.header("origin");
        if (origin != null && !sameOrigin(origin, request.header("host"))) {
            return Optional.of(ApiResponse.problem(403, "refused a request from the web page at '" + origin
                    + "': only this server's own pages may change anything on it", null, null));
        }
        if (request.body() != null && request.body().length > 0 && !json(request.header("content-type"))) {
            String given = request.header("content-type");
            return Optional.of(ApiResponse.problem(415, "send the request body as application/json (Content-Type was "
                    + (given == null ? "missing" : "'" + given + "'") + ")", "Content-Type", null));
        }
        return Optional.empty();
    }

    /** The origin names the host and port the request was sent to. */
    private static boolean sameOrigin(String origin, String host) {
        if (host == null) return false;
        try {
            URI uri = URI.create(origin.strip());
            if (uri.getHost() == null) return false; // "null": a sandboxed frame, a file: page
            String authority = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
            return authority.equalsIgnoreCase(host.strip()) || withDefaultPort(uri).equalsIgnoreCase(host.strip());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** {@code http://example.com} is {@code example.com:80}; a client may name the port in Host or leave it out. */
    private static String withDefaultPort(URI uri) {
        int port = uri.getPort() >= 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
        return uri.getHost() + ":" + port;
    }

    private static boolean json(String contentType) {
        if (contentType == null) return false;
        String type = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        return type.equals("application/json");
    }
}
