package dev.ferry.core.automations;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/** Where {@code call-webhook} actions go out: the JDK's HTTP client in both shapes ({@link HttpWebhookCalls}), a stub in tests. */
@FunctionalInterface
public interface WebhookCalls {
    /** Sends one request; the answer's status. Never follows redirects. */
    int call(URI url, String method, Map<String, String> headers, byte[] body, Duration timeout)
            throws IOException, InterruptedException;
}
