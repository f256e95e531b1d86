package dev.ferry.core.automations;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * {@link WebhookCalls} over the JDK's HTTP client. HTTPS only, and never to a loopback, private,
 * link-local or unspecified address (a cloud's metadata endpoint among them), unless the server
 * allows loopback explicitly (a local test receiver). Redirects are not followed: a 3xx is the answer.
 */
public final class HttpWebhookCalls implements WebhookCalls {
    private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final boolean allowLoopback;

    /** @param allowLoopback http:// to 127.0.0.1/localhost is let through (tests, a receiver on the same machine) */
    public HttpWebhookCalls(boolean allowLoopback) {
        this.allowLoopback = allowLoopback;
    }

    @Override
    public int call(URI url, String method, Map<String, String> headers, byte[] body, Duration timeout)
            throws IOException, InterruptedException {
        boolean https = "https".equals(url.getScheme());
        if (!https && !allowLoopback) throw new IOException("refused to call " + url + ": only https:// URLs are called");
        InetAddress[] addresses = InetAddress.getAllByName(url.getHost());
        for (InetAddress address : addresses) {
            boolean loopback = address.isLoopbackAddress();
            if (loopback && allowLoopback) continue;
            if (loopback || address.isSiteLocalAddress() || address.isLinkLocalAddress() || address.isAnyLocalAddress()
                    || address.isMulticastAddress() || isUniqueLocal(address)) {
                throw new IOException("refused to call " + url.getHost() + ": it is a private address (" + address.getHostAddress() + ")");
            }
            if (!https) throw new IOException("refused to call " + url + ": plain http:// only to loopback");
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        return client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** fc00::/7, IPv6's private range, which InetAddress does not flag. */
    private static boolean isUniqueLocal(InetAddress address) {
        byte[] bytes = address.getAddress();
        return bytes.length == 16 && (bytes[0] & 0xfe) == 0xfc;
    }
}
