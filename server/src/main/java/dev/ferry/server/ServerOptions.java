package dev.ferry.server;

import java.nio.file.Path;

/** How `ferry server start` was asked to run. {@code apiKey} null means no key is required. */
public record ServerOptions(String host, int port, Path dataDir, String apiKey) {}
