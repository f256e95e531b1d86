package dev.ferry.cli.testing;

import dev.ferry.cli.Ferry;
import dev.ferry.cli.commands.ServerStub;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the {@code ferry} command in-process and keeps what it printed. */
public final class Cli {
    public record Result(int exitCode, String out, String err) {}

    private Cli() {}

    public static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        // The tree main builds: only the named command's subtree when there is one.
        int code = Ferry.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), new ServerStub(), args)
                .execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    /** Runs the command against the API at {@code url}, as {@code --api-url} would. */
    public static Result against(java.net.URI url, String... args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--api-url";
        all[args.length + 1] = url.toString();
        return run(all);
    }
}
