package dev.ferry.server;

import dev.ferry.cli.commands.Failure;
import dev.ferry.cli.commands.UsageError;
import dev.ferry.core.Settings;
import dev.ferry.core.auth.BootstrapKey;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "server", description = "Run the Ferry API on this machine.")
public final class ServerCommand {
    static final String DEFAULT_TABLE = "ferry";
    static final String DEFAULT_QUEUE_PREFIX = "ferry-";
    /** With an emulator and no region given: emulators take any. */
    static final String EMULATOR_REGION = "us-east-1";

    @Spec
    CommandSpec spec;

    private final Map<String, String> env;

    public ServerCommand() {
        this(System.getenv());
    }

    /** @param env where the settings are read from (the process environment; tests pass a map) */
    ServerCommand(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    @Command(name = "start", description = {"Start the Ferry server and keep it running until interrupted.",
            "Embedded by default (SQLite, one process). With --aws: the AWS code path (ApiFunction, JanitorFunction, "
                    + "DynamoDB, SQS) against an emulator (--aws-endpoint) or a deployed stack's table and queues."},
            footer = {"", "Environment (a bad value stops the start; empty means the default):",
                    "  FERRY_EVENT_RETENTION_DAYS    Days events are kept: 1 to 365. Default: 7.",
                    "  FERRY_AUTOMATION_MAX_FIRINGS_PER_MINUTE",
                    "                                Firings of one automation within a minute",
                    "                                before its circuit breaker pauses it: 1 to",
                    "                                1000. Default: 60.",
                    "  FERRY_WEBHOOK_ALLOW_LOOPBACK  true: call-webhook actions may call this",
                    "                                machine's loopback over http too. Default:",
                    "                                false. Not with --aws.",
                    "  FERRY_RUN_LOG_MAX_LINES       Lines kept of one flow run's log: 1000 to",
                    "                                10000000. Default: 100000.",
                    "  FERRY_RUN_LOG_MAX_MIB         MiB of messages kept of one flow run's log:",
                    "                                1 to 1024. Default: 10."})
    int start(
            @Option(names = "--host", defaultValue = "127.0.0.1",
                    description = "Address to listen on. Default: ${DEFAULT-VALUE}.") String host,
            @Option(names = "--port", defaultValue = "4200",
                    description = "Port to listen on. Default: ${DEFAULT-VALUE}.") int port,
            @Option(names = "--data", paramLabel = "DIR",
                    description = "Where the database lives. Default: $FERRY_HOME, else ~/.ferry. Not with --aws.") Path data,
            @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:FERRY_SERVER_API_KEY}",
                    description = "The admin key: every client then needs it or a key made with 'ferry api-key create' "
                            + "(env FERRY_SERVER_API_KEY).") String apiKey,
            @Option(names = "--allowed-host", paramLabel = "NAME", split = ",", defaultValue = "${env:FERRY_ALLOWED_HOSTS}",
                    description = "Another host name clients reach the server by (repeatable, or comma-separated in env "
                            + "FERRY_ALLOWED_HOSTS). On loopback the server answers only to localhost, its address and "
                            + "these, so a web page can't rebind a name of its own to it.") List<String> allowedHosts,
            @Option(names = "--tls-cert", paramLabel = "FILE", defaultValue = "${env:FERRY_TLS_CERT}",
                    description = "Serve HTTPS with this PEM certificate chain (env FERRY_TLS_CERT); with --tls-key.")
            Path tlsCert,
            @Option(names = "--tls-key", paramLabel = "FILE", defaultValue = "${env:FERRY_TLS_KEY}",
                    description = "The certificate's private key, unencrypted PKCS#8 PEM (env FERRY_TLS_KEY).") Path tlsKey,
            @Option(names = "--aws",
                    description = "Serve through the Lambda handlers with DynamoDB and SQS instead of SQLite.") boolean aws,
            @Option(names = "--aws-endpoint", paramLabel = "URL",
                    description = "With --aws: an AWS emulator (moto, LocalStack) for both services; the table is created "
                            + "if missing. Without it, AWS itself with the default credentials chain.") String awsEndpoint,
            @Option(names = "--table", paramLabel = "NAME",
                    description = "With --aws: the DynamoDB table (a stack's TableName output). Default: " + DEFAULT_TABLE + ".")
            String table,
            @Option(names = "--queue-prefix", paramLabel = "P",
                    description = "With --aws: the SQS queue name prefix (a stack's QueuePrefix output). Default: "
                            + DEFAULT_QUEUE_PREFIX + ".") String queuePrefix,
            @Option(names = "--region", paramLabel = "R", defaultValue = "${env:AWS_REGION}",
                    description = "With --aws: the AWS region (env AWS_REGION). Default with --aws-endpoint: "
                            + EMULATOR_REGION + ".") String region)
            throws InterruptedException {
        if (port < 0 || port > 65535) throw new UsageError("--port " + port + " is not a port number (0..65535)");
        String key = apiKey == null || apiKey.isBlank() ? null : apiKey;
        if (key != null) {
            try {
                BootstrapKey.requireStrong(key, "--api-key (FERRY_SERVER_API_KEY)");
            } catch (IllegalArgumentException e) {
                throw new UsageError(e.getMessage());
            }
        }
        List<String> hosts = allowedHosts == null ? List.of()
                : allowedHosts.stream().map(String::strip).filter(h -> !h.isEmpty()).toList();
        PrintWriter out = spec.commandLine().getOut();
        Settings settings = settings(env, aws);
        Running server;
        String mode;
        if (aws) {
            if (data != null) throw new UsageError("--data is for the embedded server; with --aws, state lives in DynamoDB");
            if (tlsCert != null || tlsKey != null) throw new UsageError("--tls-cert and --tls-key are for the embedded server");
            URI endpoint = awsEndpoint == null ? null : endpoint(awsEndpoint);
            String awsRegion = region != null && !region.isBlank() ? region.strip() : endpoint != null ? EMULATOR_REGION : null;
            if (awsRegion == null) throw new UsageError("--aws without --aws-endpoint needs the stack's region: pass --region or set AWS_REGION");
            AwsServer.Options options = new AwsServer.Options(host, port, key, endpoint,
                    table == null ? DEFAULT_TABLE : table, queuePrefix == null ? DEFAULT_QUEUE_PREFIX : queuePrefix, awsRegion,
                    hosts, settings);
            AwsServer started = start(() -> AwsServer.start(options), host, port);
            server = new Running(started.url(), started::awaitTermination, started::close);
            mode = "AWS mode: table '" + options.table() + "', queues '" + options.queuePrefix() + "*' in " + awsRegion
                    + (endpoint == null ? "" : " at " + endpoint);
        } else {
            List<String> awsOnly = new ArrayList<>();
            if (awsEndpoint != null) awsOnly.add("--aws-endpoint");
            if (table != null) awsOnly.add("--table");
            if (queuePrefix != null) awsOnly.add("--queue-prefix");
            if (!awsOnly.isEmpty()) {
                throw new UsageError(String.join(", ", awsOnly) + (awsOnly.size() == 1 ? " needs" : " need") + " --aws");
            }
            Path dataDir = data != null ? data : defaultDataDir();
            TlsFiles tls;
            try {
                tls = TlsFiles.of(tlsCert, tlsKey);
            } catch (IllegalArgumentException e) {
                throw new UsageError(e.getMessage());
            }
            EmbeddedServer started = start(() -> EmbeddedServer.start(new ServerOptions(host, port, dataDir, key, hosts, settings,
                    tls)), host, port);
            server = new Running(started.url(), started::awaitTermination, started::close);
            mode = "embedded: " + dataDir.resolve("ferry.db");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> close(server), "ferry-server-shutdown"));
        out.println("Ferry server listening on " + server.url() + " (" + mode + ")");
        out.println("Point the CLI at it (FERRY_API_URL=" + server.url() + ") and create a work pool: "
                + "ferry work-pool create my-pool --type process");
        out.flush();
        server.awaitTermination().run();
        return 0;
    }

    /**
     * The settings the server's environment gives; a bad one is a usage error, said in one line
     * before anything starts. With {@code --aws} they are read as the functions read them.
     */
    static Settings settings(Map<String, String> env, boolean aws) {
        try {
            return aws ? Settings.onAws(env) : Settings.from(env);
        } catch (IllegalArgumentException e) {
            throw new UsageError("the server's environment is not valid: " + e.getMessage());
        }
    }

    static Path defaultDataDir() {
        String home = System.getenv("FERRY_HOME");
        if (home != null && !home.isBlank()) return Path.of(home);
        return Path.of(System.getProperty("user.home"), ".ferry");
    }

    /** What the two kinds of server share, for the command. */
    private record Running(URI url, Waiting awaitTermination, Runnable close) {}

    @FunctionalInterface
    private interface Waiting {
        void run() throws InterruptedException;
    }

    private static URI endpoint(String text) {
        try {
            URI uri = new URI(text);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) return uri;
        } catch (java.net.URISyntaxException e) {
            // refused below
        }
        throw new UsageError("--aws-endpoint '" + text + "' is not an http(s) URL such as http://127.0.0.1:5000");
    }

    private static <T> T start(Callable<T> starter, String host, int port) {
        try {
            return starter.call();
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        } catch (IllegalStateException e) {
            throw new Failure(e.getMessage(), e); // e.g. the AWS endpoint can't be reached: already said for a person
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

    private static void close(Running server) {
        try {
            server.close().run();
        } catch (Exception e) {
            // the JVM is going down; nothing useful is left to do with a failed close
        }
    }
}
