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
    /**
     * The files under {@link #ROOT}, by the path they are served at. Page modules come before
     * {@code app.js}, which imports them: its {@code import ... from './x.js'} is rewritten to the
     * versioned name, as index.html's references are, so a module and its importer change names together.
     */
    private static final Map<String, String> TYPES = types();
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

    /** @param gzipped the body gzip-compressed, for clients that accept it; null when not worth it */
    private record Asset(byte[] body, byte[] gzipped, String type, String etag, String cacheControl) {
        Asset(byte[] body, String type, String etag, String cacheControl) {
            this(body, gzip(body, type), type, etag, cacheControl);
        }
    }

    private static Map<String, String> types() {
        Map<String, String> types = new LinkedHashMap<>();
        types.put("dashboard.js", "text/javascript; charset=utf-8");
        types.put("app.js", "text/javascript; charset=utf-8");
        types.put("app.css", "text/css; charset=utf-8");
        types.put("favicon.svg", "image/svg+xml");
        return types;
    }

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
            if (name.endsWith(".js")) {
                String js = new String(body, StandardCharsets.UTF_8);
                for (Map.Entry<String, String> v : versions.entrySet()) {
                    js = js.replace("'./" + v.getKey() + "'", "'./" + v.getKey() + "?v=" + v.getValue() + "'");
                }
                body = js.getBytes(StandardCharsets.UTF_8);
            }
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
        boolean gzip = asset.gzipped() != null && acceptsGzip(request.header("accept-encoding"));
        String seen = request.header("if-none-match");
        if (seen != null && seen.contains(etag(asset, gzip))) {
            Map<String, String> headers = headers(asset, gzip);
            headers.remove("Content-Type");
            headers.remove("Content-Encoding");
            return new ApiResponse(304, headers, new byte[0]);
        }
        return respond(request, 200, asset, gzip);
    }

    private static ApiResponse respond(ApiRequest request, int status, Asset asset) {
        return respond(request, status, asset, false);
    }

    private static ApiResponse respond(ApiRequest request, int status, Asset asset, boolean gzip) {
        byte[] body = "HEAD".equals(request.method()) ? new byte[0] : gzip ? asset.gzipped() : asset.body();
        return new ApiResponse(status, headers(asset, gzip), body);
    }

    /** The two encodings are two representations, so they have two tags. */
    private static String etag(Asset asset, boolean gzip) {
        return asset.etag() == null || !gzip ? asset.etag() : asset.etag().substring(0, asset.etag().length() - 1) + "-gzip\"";
    }

    /** {@code gzip} listed without {@code q=0}. */
    static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) return false;
        for (String part : acceptEncoding.toLowerCase(java.util.Locale.ROOT).split(",")) {
            String[] pieces = part.strip().split(";");
            if (!pieces[0].strip().equals("gzip")) continue;
            for (int i = 1; i < pieces.length; i++) {
                String p = pieces[i].strip().replace(" ", "");
                if (p.equals("q=0") || p.matches("q=0\\.0*")) return false;
            }
            return true;
        }
        return false;
    }

    private static Map<String, String> headers(Asset asset, boolean gzip) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", asset.type());
        headers.put("Cache-Control", asset.cacheControl());
        if (asset.etag() != null) headers.put("ETag", etag(asset, gzip));
        if (gzip) headers.put("Content-Encoding", "gzip");
        // caches must keep the encodings apart
        if (asset.gzipped() != null) headers.put("Vary", "Accept-Encoding");
        headers.put("Content-Security-Policy", CSP);
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Referrer-Policy", "no-referrer");
        headers.put("X-Frame-Options", "DENY");
        return headers;
    }

    /** Text compresses to a third or less; an icon of a few hundred bytes is not worth it. */
    private static byte[] gzip(byte[] body, String type) {
        if (body.length < 1024 || type.startsWith("image/")) return null;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(body.length / 3);
        try (java.util.zip.GZIPOutputStream zip = new java.util.zip.GZIPOutputStream(out) {
            {
                def.setLevel(java.util.zip.Deflater.BEST_COMPRESSION);
            }
        }) {
            zip.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] gzipped = out.toByteArray();
        return gzipped.length < body.length ? gzipped : null;
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
