package dev.ferry.cli;

import dev.ferry.cli.auth.ApiKeyCommand;
import dev.ferry.cli.automations.AutomationCommand;
import dev.ferry.cli.commands.ApiOptions;
import dev.ferry.cli.commands.Errors;
import dev.ferry.cli.commands.ServerStub;
import dev.ferry.cli.commands.UsageError;
import dev.ferry.cli.deployments.DeploymentCommand;
import dev.ferry.cli.events.EventCommand;
import dev.ferry.cli.pools.WorkPoolCommand;
import dev.ferry.cli.pools.WorkQueueCommand;
import dev.ferry.cli.project.DeployCommand;
import dev.ferry.cli.project.InitCommand;
import dev.ferry.cli.runs.FlowRunCommand;
import dev.ferry.cli.webhooks.WebhookCommand;
import dev.ferry.cli.worker.WorkerCommand;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ferry} command. */
// INHERIT: every subcommand gets --help and --version, which each usage error points to.
@Command(name = "ferry", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT,
        versionProvider = Ferry.Version.class,
        description = "Run your flows as API-managed deployments on work pools.")
public final class Ferry {

    /** The client and worker distribution (ferry.jar): its {@code server} command says where the server is. */
    public static void main(String[] args) {
        int code = run(args, new ServerStub());
        endHttpSelectors();
        System.exit(code);
    }

    /**
     * Java 17's HttpClient has no close(), and its selector thread waits in native code (epoll)
     * for up to 3 s at a time; a JVM exiting while a thread is in native code waits up to 300 ms
     * for it, which was a third of the wall time of {@code ferry work-pool ls}. An interrupted
     * selector thread ends its loop at once. Not once shutdown has begun: a worker's shutdown
     * hook may still be calling the API.
     */
    static void endHttpSelectors() {
        Thread probe = new Thread(() -> { });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
        } catch (IllegalStateException shuttingDown) {
            return;
        }
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) root = root.getParent();
        Thread[] threads = new Thread[root.activeCount() + 8];
        int count = root.enumerate(threads, true);
        for (int i = 0; i < count; i++) {
            Thread thread = threads[i];
            if (thread.getName().startsWith("HttpClient-") && thread.getName().endsWith("-SelectorManager")) {
                thread.interrupt();
                try {
                    thread.join(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Runs the command tree with {@code server} as its {@code server} command, printing UTF-8
     * whatever the locale: Java 17 would otherwise print a flow's non-ASCII output as '?' under a
     * POSIX locale (containers, CI, service managers).
     */
    public static int run(String[] args, Object server) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        return commandLine(out, err, server, args).execute(args);
    }

    /** The client's command tree, printing to {@code out} and {@code err}; tests run it in-process. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return commandLine(out, err, new ServerStub());
    }

    /** The whole command tree with {@code server} as the {@code server} command. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err, Object server) {
        return commandLine(out, err, server, new String[0]);
    }

    /**
     * The command tree that can run {@code args}. Picocli reflects over a command's whole subtree
     * when it is added, which with loading picocli itself was 45% of the wall time of {@code ferry
     * work-pool ls}; so when the first argument names a command, only that command's subtree is
     * built. Anything else (no command, an option, {@code help}, a typo that deserves a suggestion)
     * gets the whole tree.
     */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err, Object server, String[] args) {
        List<Object> commands = List.of(server, WorkPoolCommand.class, WorkQueueCommand.class, WorkerCommand.class,
                InitCommand.class, DeployCommand.class, DeploymentCommand.class, FlowRunCommand.class,
                EventCommand.class, AutomationCommand.class, WebhookCommand.class, ApiKeyCommand.class, VersionCommand.class,
                CommandLine.HelpCommand.class);
        Object named = args.length == 0 ? null : commands.stream()
                .filter(command -> command != CommandLine.HelpCommand.class && names(command).contains(args[0]))
                .findFirst().orElse(null);
        CommandLine cli = new CommandLine(new Ferry());
        for (Object command : named == null ? commands : List.of(named)) {
            cli.addSubcommand(command);
        }
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler(Errors::handle);
        cli.setParameterExceptionHandler(Errors::handleUsage);
        cli.setOut(out);
        cli.setErr(err);
        return cli;
    }

    private static List<String> names(Object command) {
        Class<?> type = command instanceof Class<?> c ? c : command.getClass();
        Command annotation = type.getAnnotation(Command.class);
        if (annotation == null) return List.of();
        List<String> names = new ArrayList<>(List.of(annotation.aliases()));
        names.add(annotation.name());
        return names;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            // --version has no --api-url of its own: the server is the one FERRY_API_URL names.
            String url = System.getenv("FERRY_API_URL");
            try {
                return Versions.lines(new ApiOptions().withUrl(url).url());
            } catch (UsageError badUrl) {
                return new String[] {"ferry " + Versions.client(), "server: FERRY_API_URL '" + url + "' is not an http(s) URL"};
            }
        }
    }
}
