package dev.ferry.cli.commands;

/** A command could not do its job for a reason already worded for the user (exit code 1). */
public final class Failure extends RuntimeException {
    public Failure(String message) {
        super(message);
    }

    public Failure(String message, Throwable cause) {
        super(message, cause);
    }
}
