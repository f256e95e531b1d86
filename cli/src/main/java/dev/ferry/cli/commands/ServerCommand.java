package dev.ferry.cli.commands;

import dev.ferry.cli.server.EmbeddedServer;
import dev.ferry.cli.server.ServerOptions;
import java.io.PrintWriter;
import java.net.BindException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "server", description = "Run the Ferry API on this machine.")
public final class ServerCommand {
    @Spec
    CommandSpec spec;

    @Command(name = "start", description = "Start the embedded Ferry server and keep it running until interrupted.")
    int start(
            @Option(names = "--host", defaultValue = "127.0.0.1",
                    description = "Address to listen on. Default: ${DEFAULT-VALUE}.") String host,
            @Option(names = "--port", defaultValue = "4200",
                    description = "Port to listen on. Default: ${DEFAULT-VALUE}.") int port,
            @Option(names = "--data", paramLabel = "DIR",
                    description = "Where the database lives. Default: $FERRY_HOME, else ~/.ferry.") Path data,
            @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:FERRY_SERVER_API_KEY}",
                    description = "Require this key from every client (env FERRY_SERVER_API_KEY).") String apiKey)
            throws InterruptedException {
        if (port < 0 || port > 65535) throw new UsageError("--port " + port + " is not a port number (0..65535)");
        Path dataDir = data != null ? data : defaultDataDir();
        String key = apiKey == null || apiKey.isBlank() ? null : apiKey;
        EmbeddedServer server = startServer(new ServerOptions(host, port, dataDir, key), host, port);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> close(server), "ferry-server-shutdown"));
        PrintWriter out = spec.commandLine().getOut();
        out.println("Ferry server listening on " + server.url());
        out.println("Point the CLI at it (FERRY_API_URL=" + server.url() + ") and create a work pool: "
                + "ferry work-pool create my-pool --type process");
        out.flush();
        server.awaitTermination();
        return 0;
    }

    static Path defaultDataDir() {
        String home = System.getenv("FERRY_HOME");
        if (home != null && !home.isBlank()) return Path.of(home);
        return Path.of(System.getProperty("user.home"), ".ferry");
    }

    private static EmbeddedServer startServer(ServerOptions options, String host, int port) {
        try {
            return EmbeddedServer.start(options);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        } catch (Exception e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof BindException) {
                    throw new Failure("cannot listen on " + host + ":" + port + " (" + t.getMessage()
                            + "); is another Ferry server running there? Choose another port with --port", e);
                }
            }
            if (e instanceof RuntimeException runtime) throw runtime;
            throw new Failure("the Ferry server did not start: " + e.getMessage(), e);
        }
    }

    private static void close(EmbeddedServer server) {
        try {
            server.close();
        } catch (Exception e) {
            // the JVM is going down; nothing useful is left to do with a failed close
        }
    }
}
