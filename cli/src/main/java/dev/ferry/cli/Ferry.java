package dev.ferry.cli;

import dev.ferry.cli.auth.ApiKeyCommand;
import dev.ferry.cli.commands.Errors;
import dev.ferry.cli.commands.ServerCommand;
import dev.ferry.cli.deployments.DeployCommand;
import dev.ferry.cli.deployments.DeploymentCommand;
import dev.ferry.cli.pools.WorkPoolCommand;
import dev.ferry.cli.project.InitCommand;
import dev.ferry.cli.pools.WorkQueueCommand;
import dev.ferry.cli.runs.FlowRunCommand;
import dev.ferry.cli.worker.WorkerCommand;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ferry} command. */
// INHERIT: every subcommand gets --help and --version, which each usage error points to.
@Command(name = "ferry", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT,
        versionProvider = Ferry.Version.class,
        description = "Run your flows as API-managed deployments on work pools.",
        subcommands = {
            ServerCommand.class,
            WorkPoolCommand.class,
            WorkQueueCommand.class,
            WorkerCommand.class,
            InitCommand.class,
            DeployCommand.class,
            DeploymentCommand.class,
            FlowRunCommand.class,
            ApiKeyCommand.class,
            CommandLine.HelpCommand.class,
        })
public final class Ferry {

    public static void main(String[] args) {
        // UTF-8 whatever the locale: Java 17 would otherwise print a flow's non-ASCII output as '?'
        // under a POSIX locale (containers, CI, service managers).
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        System.exit(commandLine(out, err).execute(args));
    }

    /** The whole command tree, printing to {@code out} and {@code err}; tests run it in-process. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Ferry());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler(Errors::handle);
        cli.setParameterExceptionHandler(Errors::handleUsage);
        cli.setOut(out);
        cli.setErr(err);
        return cli;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Ferry.class.getPackage().getImplementationVersion();
            return new String[] {"ferry " + (version == null ? "(development build)" : version)};
        }
    }
}
