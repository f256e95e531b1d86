package dev.ferry.cli.webhooks;

import dev.ferry.cli.commands.UsageError;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * A webhook's secret as {@code --secret-env} or {@code --secret-file} gives it. There is no
 * {@code --secret}: a value on the command line ends up in shell history and in every process
 * listing on the machine.
 */
final class Secrets {
    static final String ENV = "--secret-env";
    static final String FILE = "--secret-file";

    private Secrets() {}

    /** The secret, or null when neither option was given (the server makes one, shown once). */
    static String read(String variable, Path file, Function<String, String> environment) {
        if (variable != null && file != null) throw new UsageError("give " + ENV + " or " + FILE + ", not both");
        if (variable != null) return fromEnvironment(variable, environment);
        if (file != null) return fromFile(file);
        return null;
    }

    /** Where the secret came from, as a person would recognize it: never the secret itself. */
    static String source(String variable, Path file) {
        return variable != null ? "environment variable " + variable : "file " + file;
    }

    private static String fromEnvironment(String variable, Function<String, String> environment) {
        if (variable.isBlank()) throw new UsageError(ENV + " needs the name of an environment variable, e.g. GITHUB_WEBHOOK_SECRET");
        String value = environment.apply(variable);
        if (value == null) throw new UsageError(ENV + " " + variable + ": the environment variable is not set");
        if (value.isBlank()) throw new UsageError(ENV + " " + variable + ": the environment variable is empty");
        return value;
    }

    private static String fromFile(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UsageError(FILE + " '" + file + "' does not exist");
        } catch (MalformedInputException e) {
            throw new UsageError(FILE + " '" + file + "' is not UTF-8 text");
        } catch (IOException e) {
            throw new UsageError(FILE + " '" + file + "' cannot be read: " + e.getMessage());
        }
        // editors and `echo secret > file` end the file with a newline the sender never signs with
        String secret = text.replaceAll("[\\r\\n]+$", "");
        if (secret.isBlank()) throw new UsageError(FILE + " '" + file + "' is empty");
        return secret;
    }
}
