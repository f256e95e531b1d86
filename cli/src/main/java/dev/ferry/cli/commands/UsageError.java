package dev.ferry.cli.commands;

/** Input the user must fix before anything is sent (exit code 2, like a picocli usage error). */
public final class UsageError extends RuntimeException {
    public UsageError(String message) {
        super(message);
    }
}
