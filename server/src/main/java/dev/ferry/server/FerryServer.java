package dev.ferry.server;

import dev.ferry.cli.Ferry;

/** The main of ferry-server.jar: the whole {@code ferry} command, {@code ferry server start} included. */
public final class FerryServer {
    private FerryServer() {}

    public static void main(String[] args) {
        System.exit(Ferry.run(args, new ServerCommand()));
    }
}
