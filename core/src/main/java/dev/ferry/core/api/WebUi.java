package dev.ferry.core.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The web UI's static files, served from the jar by the same router as the API (so the embedded
 * server and the Lambda serve it alike, with nothing else to deploy). The UI is a hash-routed
 * single page that calls the public {@code /api}; these files need no key, the API still does.
 *
 * <p>{@code index.html} names the other files with {@code ?v=<content hash>}: it is revalidated on
 * every load (cheap with its ETag), and the files it names are cached for a year, since a new
 * build changes their names.
 */
public final class WebUi {
    private static final String ROOT = "dev/ferry/ui/";
    /** The files under {@link #ROOT}, by the path they are served at. */
    private static final Map<String, String> TYPES = Map.of(
            "app.js", "text/javascript; charset=utf-8",
            "app.css", "text/css; charset=utf-8",
            "favicon.svg", "image/svg+xml");
    /**
     * Everything from this origin only; no inline script or style (the UI sets none), no frames,
     * no plugins. {@code connect-src 'self'}: the UI talks to its own API and nothing else.
     */
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            + "frame-ancestors 'none'";
    private static final String IMMUTABLE = "public, max-age=31536000, immutable";

    private final Map<String, Asset> assets = new LinkedHashMap<>();
    private final Asset index;

    private record Asset(byte[] body, String type, String etag, String cacheControl) {}

    /** Read from the jar on the first page request, not at start: a Lambda that only serves the API never pays for it. */
    private static final class Shared {
        static final WebUi UI = new WebUi();
    }

    public static WebUi shared() {
        return Shared.UI;
    }

    WebUi() {
        Map<String, String> versions = new LinkedHashMap<>();
        TYPES.forEach((name, type) -> {
            byte[] body = read(name);
            String hash = hash(body);
            versions.put(name, hash);
            assets.put("/" + name, new Asset(body, type, "\"" + hash + "\"", IMMUTABLE));
        });
        String html = new String(read("index.html"), StandardCharsets.UTF_8);
        for (Map.Entry<String, String> v : versions.entrySet()) {
            html = html.replace("/" + v.getKey() + "\"", "/" + v.getKey() + "?v=" + v.getValue() + "\"");
        }
        byte[] body = html.getBytes(StandardCharsets.UTF_8);
        this.index = new Asset(body, "text/html; charset=utf-8", "\"" + hash(body) + "\"", "no-cache");
    }

    /** Whether this request is the UI's: a GET or HEAD off {@code /api}. */
    public static boolean serves(ApiRequest request) {
        String path = request.path();
        boolean api = path.equals("/api") || path.startsWith("/api/");
        return !api && ("GET".equals(request.method()) || "HEAD".equals(request.method()));
    }

    /** The file, a 304 when the client's copy is current, or a 404 page. HEAD answers the headers only. */
    public ApiResponse handle(ApiRequest request) {
        String path = request.path();
        Asset asset = path.equals("/") || path.equals("/index.html") ? index : assets.get(path);
        if (asset == null) {
            return respond(request, 404, new Asset(("<!doctype html><title>Not found</title><p>No page at this address. "
                    + "<a href=\"/\">Ferry</a></p>").getBytes(StandardCharsets.UTF_8), "text/html; charset=utf-8", null,
                    "no-cache"));
        }
        String seen = request.header("if-none-match");
        if (seen != null && seen.contains(asset.etag())) {
            Map<String, String> headers = headers(asset);
            headers.remove("Content-Type");
            return new ApiResponse(304, headers, new byte[0]);
        }
        return respond(request, 200, asset);
    }

    private static ApiResponse respond(ApiRequest request, int status, Asset asset) {
        return new ApiResponse(status, headers(asset), "HEAD".equals(request.method()) ? new byte[0] : asset.body());
    }

    private static Map<String, String> headers(Asset asset) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", asset.type());
        headers.put("Cache-Control", asset.cacheControl());
        if (asset.etag() != null) headers.put("ETag", asset.etag());
        headers.put("Content-Security-Policy", CSP);
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Referrer-Policy", "no-referrer");
        headers.put("X-Frame-Options", "DENY");
        return headers;
    }

    private static byte[] read(String name) {
        try (InputStream in = WebUi.class.getClassLoader().getResourceAsStream(ROOT + name)) {
            if (in == null) throw new IllegalStateException("the web UI's " + ROOT + name + " is missing from the jar");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String hash(byte[] body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
