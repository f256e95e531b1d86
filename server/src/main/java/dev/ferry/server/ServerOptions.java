package dev.ferry.server;

import java.nio.file.Path;
import java.util.List;

/**
 * How `ferry server start` was asked to run. {@code apiKey} null means no key is required;
 * {@code allowedHosts} are host names the server answers to besides its own ({@code --allowed-host}).
 */
public record ServerOptions(String host, int port, Path dataDir, String apiKey, List<String> allowedHosts) {

    public ServerOptions {
        allowedHosts = List.copyOf(allowedHosts);
    }

    public ServerOptions(String host, int port, Path dataDir, String apiKey) {
        this(host, port, dataDir, apiKey, List.of());
    }
}
