package dev.ferry.cli;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.cli.commands.ServerStub;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The training run behind ferry.jsa, the class-data sharing archive the build writes beside
 * ferry.jar ({@code -XX:ArchiveClassesAtExit}). A short command spends most of its time loading
 * and linking classes; the archive holds the ones these commands load, so the {@code ferry}
 * wrapper's JVM maps them instead. It answers the commands from a canned API on loopback, so the
 * build needs no Ferry server, and it prints nothing: the build log is not the place for tables.
 */
public final class StartupTraining {
    private static final String POOL = "{\"id\":\"00000000-0000-0000-0000-000000000001\",\"name\":\"training\","
            + "\"type\":\"process\",\"description\":null,\"base_job_template\":{},\"concurrency_limit\":null,"
            + "\"is_paused\":false,\"default_queue_name\":\"default\",\"created\":\"2026-01-01T00:00:00Z\","
            + "\"updated\":\"2026-01-01T00:00:00Z\",\"revision\":1,\"status\":\"READY\"}";

    private static final List<List<String>> COMMANDS = List.of(
            List.of("work-pool", "ls"),
            List.of("work-pool", "ls", "-o", "json"),
            List.of("work-pool", "inspect", "training"),
            List.of("work-queue", "ls", "--pool", "training"),
            List.of("deployment", "ls"),
            List.of("flow-run", "ls"),
            List.of("worker", "ls", "--pool", "training"),
            List.of("work-pool", "ls", "--no-such-option"),
            List.of("--help"));

    private StartupTraining() {}

    public static void main(String[] args) throws IOException {
        HttpServer api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        api.createContext("/", exchange -> {
            // Every list is one page of one pool: close enough in shape for each command to print it.
            byte[] body = ("{\"items\":[" + POOL + "],\"next\":null}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        api.start();
        try {
            String url = "http://127.0.0.1:" + api.getAddress().getPort();
            PrintWriter nowhere = new PrintWriter(Writer.nullWriter());
            for (List<String> command : COMMANDS) {
                String[] line = command.contains("--help") ? command.toArray(String[]::new)
                        : concat(command, "--api-url", url);
                Ferry.commandLine(nowhere, nowhere, new ServerStub(), line).execute(line);
            }
        } finally {
            api.stop(0);
        }
    }

    private static String[] concat(List<String> command, String... more) {
        String[] line = command.toArray(new String[command.size() + more.length]);
        System.arraycopy(more, 0, line, command.size(), more.length);
        return line;
    }
}
