package dev.ferry.cli.commands;

import dev.ferry.cli.client.ApiProblem;
import dev.ferry.cli.client.ApiUnreachable;
import dev.ferry.cli.output.Printable;
import java.io.PrintWriter;
import java.util.concurrent.CancellationException;
import picocli.CommandLine;

/**
 * Turns whatever ended a command into one line on stderr and an exit code. A stack trace is
 * never shown unless FERRY_DEBUG is set: the person reading it needs what to do next, not where
 * in the CLI it happened.
 */
public final class Errors {
    public static final int USAGE = 2;
    public static final int FAILED = 1;
    public static final int INTERRUPTED = 130;

    private Errors() {}

    public static int exitCode(Throwable error) {
        if (error instanceof UsageError) return USAGE;
        if (error instanceof ApiProblem problem) {
            int s = problem.status();
            return s == 400 || s == 413 || s == 422 ? USAGE : FAILED;
        }
        if (error instanceof CancellationException) return INTERRUPTED;
        return FAILED;
    }

    public static String message(Throwable error) {
        if (error instanceof ApiProblem problem) {
            String text = problem.describe();
            if (problem.status() == 401) {
                text += "; pass the server's key with --api-key or FERRY_API_KEY";
            } else if (problem.status() == 403) {
                text += "; use a key whose role allows it (an admin makes one with 'ferry api-key create')";
            }
            return text;
        }
        if (error instanceof ApiUnreachable unreachable) {
            return unreachable.getMessage() + "; start it with 'ferry server start' or set FERRY_API_URL";
        }
        if (error instanceof UsageError || error instanceof Failure || error instanceof CancellationException) {
            return error.getMessage();
        }
        String message = error.getMessage();
        return message == null || message.isBlank() ? "unexpected " + error.getClass().getSimpleName() : message;
    }

    /** Picocli's handler for exceptions thrown while a command runs. */
    public static int handle(Exception error, CommandLine command, CommandLine.ParseResult parsed) {
        report(error, command.getErr());
        return exitCode(error);
    }

    /** Picocli's handler for command lines it could not parse: one line, exit 2. */
    public static int handleUsage(CommandLine.ParameterException error, String[] args) {
        CommandLine command = error.getCommandLine();
        String name = command.getCommandSpec().qualifiedName();
        String message = secretOnTheCommandLine(error) ? "'" + name + "' takes no --secret: a secret on the command line "
                + "is kept in shell history and shown in process listings; give --secret-env VAR or --secret-file FILE"
                : oneLine(error.getMessage());
        command.getErr().println("error: " + message + " (see '" + name + " --help')");
        command.getErr().flush();
        return USAGE;
    }

    /**
     * A {@code --secret} given to a command that reads its secret from {@code --secret-env} or
     * {@code --secret-file}: picocli's wording would print the secret back, to a terminal or a CI log.
     */
    private static boolean secretOnTheCommandLine(CommandLine.ParameterException error) {
        if (!(error instanceof CommandLine.UnmatchedArgumentException unmatched)) return false;
        if (error.getCommandLine().getCommandSpec().findOption("--secret-env") == null) return false;
        return unmatched.getUnmatched().stream().anyMatch(arg -> arg.equals("--secret") || arg.startsWith("--secret="));
    }

    public static void report(Throwable error, PrintWriter err) {
        err.println("error: " + oneLine(message(error)));
        String debug = System.getenv("FERRY_DEBUG");
        if (debug != null && !debug.isBlank()) error.printStackTrace(err);
        err.flush();
    }

    private static String oneLine(String text) {
        return text == null ? "" : Printable.text(text.strip().replaceAll("\\s*[\\r\\n]+\\s*", "; "));
    }
}
