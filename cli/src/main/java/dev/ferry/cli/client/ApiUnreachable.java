package dev.ferry.cli.client;

import java.net.URI;

/** No HTTP answer at all: connection refused, unknown host, or no answer in time. */
public final class ApiUnreachable extends RuntimeException {
    private final URI url;
    private final String reason;

    public ApiUnreachable(URI url, String reason, Throwable cause) {
        super("cannot reach the Ferry API at " + url + " (" + reason + ")", cause);
        this.url = url;
        this.reason = reason;
    }

    public URI url() {
        return url;
    }

    public String reason() {
        return reason;
    }
}
