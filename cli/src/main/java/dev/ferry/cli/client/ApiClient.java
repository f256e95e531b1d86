package dev.ferry.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.ferry.core.common.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * HTTP transport for the Ferry API: JSON in, JSON out, problem+json turned into {@link ApiProblem},
 * no answer at all into {@link ApiUnreachable}, and outages handled by the {@link Retry} policy.
 */
public final class ApiClient {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final URI base;
    private final String apiKey;
    private final Retry retry;
    private final HttpClient http;

    public ApiClient(URI base, String apiKey, Retry retry) {
        this.base = normalize(base);
        this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
        this.retry = retry;
        // HTTP/1.1: the JDK client would otherwise offer an h2c upgrade on every plain-http request.
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT);
        // Without a context of its own the JDK client builds the default TLS one (JSSE, the CA
        // certificates), measured at about a fifth of a short command's start-up, even for an http
        // URL, which never needs it: the client follows no redirects, and an http URL goes to a
        // proxy in plain http too.
        if ("http".equalsIgnoreCase(this.base.getScheme())) {
            builder.sslContext(NoTls.CONTEXT).sslParameters(new SSLParameters());
        }
        this.http = builder.build();
    }

    /** The server's root URL, e.g. {@code http://127.0.0.1:4200}, as a flow process should be given it. */
    public URI baseUrl() {
        return base;
    }

    public String apiKey() {
        return apiKey;
    }

    public ApiResponse get(String path) {
        return send("GET", path, null, DEFAULT_TIMEOUT);
    }

    public ApiResponse post(String path, Object body) {
        return send("POST", path, body == null ? null : Json.bytes(body), DEFAULT_TIMEOUT);
    }

    public ApiResponse patch(String path, Object body) {
        return send("PATCH", path, Json.bytes(body), DEFAULT_TIMEOUT);
    }

    public ApiResponse delete(String path) {
        return send("DELETE", path, null, DEFAULT_TIMEOUT);
    }

    /**
     * One request, retried per the policy. {@code path} starts with {@code /api}; {@code body}
     * is JSON bytes or null.
     *
     * @throws ApiProblem for a 4xx answer, or a 5xx one when not retrying
     * @throws ApiUnreachable when there was no answer and the policy does not retry
     * @throws CancellationException when the calling thread was interrupted (the flag stays set)
     */
    public ApiResponse send(String method, String path, byte[] body, Duration timeout) {
        HttpRequest request = request(method, path, body, timeout);
        for (int attempt = 0; ; attempt++) {
            RuntimeException failure;
            try {
                ApiResponse response = exchange(request);
                retry.succeeded(base.toString());
                return response;
            } catch (ApiProblem problem) {
                if (problem.status() < 500 || !retry.retrying()) throw problem;
                failure = problem;
                retry.failed("the Ferry API at " + base + " answered " + problem.status() + " (" + problem.getMessage() + ")");
            } catch (ApiUnreachable unreachable) {
                if (!retry.retrying()) throw unreachable;
                failure = unreachable;
                retry.failed(unreachable.getMessage());
            }
            try {
                retry.pause(attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                CancellationException cancelled = new CancellationException("interrupted while waiting for the Ferry API");
                cancelled.addSuppressed(failure);
                throw cancelled;
            }
        }
    }

    /** A path segment with everything but unreserved characters percent-encoded. */
    public static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private ApiResponse exchange(HttpRequest request) {
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while calling the Ferry API");
        } catch (IOException | IllegalArgumentException e) {
            throw new ApiUnreachable(base, reason(e, request), e);
        }
        int status = response.statusCode();
        JsonNode json = parse(response.body());
        if (status >= 200 && status < 300) {
            return new ApiResponse(status, json == null ? MissingNode.getInstance() : json);
        }
        throw problem(status, json, response.body());
    }

    private HttpRequest request(String method, String path, byte[] body, Duration timeout) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(timeout)
                .header("Accept", "application/json, application/problem+json")
                .header("User-Agent", "ferry-cli");
        if (apiKey != null) builder.header("Authorization", "Bearer " + apiKey);
        if (body != null) builder.header("Content-Type", "application/json");
        HttpRequest.BodyPublisher publisher = body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body);
        return builder.method(method, publisher).build();
    }

    private static ApiProblem problem(int status, JsonNode json, byte[] raw) {
        if (json != null && json.isObject()) {
            String detail = text(json, "detail");
            if (detail == null) detail = text(json, "title");
            if (detail == null) detail = text(json, "message");
            if (detail != null) return new ApiProblem(status, detail, text(json, "field"), json);
        }
        String said = new String(raw, StandardCharsets.UTF_8).strip();
        if (said.length() > 200) said = said.substring(0, 200) + "...";
        String detail = "the Ferry API answered HTTP " + status + (said.isEmpty() ? "" : ": " + said);
        return new ApiProblem(status, detail, null, json == null ? MissingNode.getInstance() : json);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() || value.asText().isBlank() ? null : value.asText();
    }

    private static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) return null;
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static String reason(Exception e, HttpRequest request) {
        if (e instanceof HttpConnectTimeoutException) return "connection timed out";
        if (e instanceof HttpTimeoutException) {
            return "no answer within " + request.timeout().map(Duration::toSeconds).orElse(0L) + " s";
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException) return "unknown host " + request.uri().getHost();
        }
        if (e instanceof ConnectException) return "connection refused";
        if (e instanceof IllegalArgumentException) return "not a usable URL: " + e.getMessage();
        if (e instanceof javax.net.ssl.SSLException) return "TLS failed: " + e.getMessage();
        // The JDK's wording when the server goes away mid-request ("header parser received no bytes",
        // "Connection reset", EOF) means the same thing to the reader.
        return "the connection closed before an answer came";
    }

    /** A TLS context for a client that only speaks plain http: any use of it is a bug, said as such. */
    private static final class NoTls extends SSLContextSpi {
        static final SSLContext CONTEXT = new SSLContext(new NoTls(), null, "none") {};

        private static IllegalStateException unused() {
            return new IllegalStateException("TLS on a client made for a plain-http Ferry API URL");
        }

        @Override
        protected void engineInit(KeyManager[] keys, TrustManager[] trust, SecureRandom random) {
            throw unused();
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            throw unused();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            throw unused();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            throw unused();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            throw unused();
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            throw unused();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            throw unused();
        }
    }

    private static URI normalize(URI url) {
        String s = url.toString();
        while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        // People paste Prefect-style URLs ending in /api; every path here already starts with it.
        if (s.endsWith("/api")) s = s.substring(0, s.length() - 4);
        return URI.create(s);
    }
}
