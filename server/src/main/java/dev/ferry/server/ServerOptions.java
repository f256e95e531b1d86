package dev.ferry.server;

import dev.ferry.core.Settings;
import java.nio.file.Path;
import java.util.List;

/**
 * How `ferry server start` was asked to run. {@code apiKey} null means no key is required;
 * {@code allowedHosts} are host names the server answers to besides its own ({@code --allowed-host});
 * {@code settings} what the environment tunes (event retention, the automations' circuit breaker,
 * loopback webhooks); {@code tls} the certificate and key to serve HTTPS with, or null for HTTP.
 */
public record ServerOptions(String host, int port, Path dataDir, String apiKey, List<String> allowedHosts, Settings settings,
                            TlsFiles tls) {

    public ServerOptions {
        allowedHosts = List.copyOf(allowedHosts);
    }

    public ServerOptions(String host, int port, Path dataDir, String apiKey, List<String> allowedHosts, Settings settings) {
        this(host, port, dataDir, apiKey, allowedHosts, settings, null);
    }

    public ServerOptions(String host, int port, Path dataDir, String apiKey, List<String> allowedHosts) {
        this(host, port, dataDir, apiKey, allowedHosts, Settings.DEFAULTS);
    }

    public ServerOptions(String host, int port, Path dataDir, String apiKey) {
        this(host, port, dataDir, apiKey, List.of());
    }
}
