package dev.ferry.cli;

import dev.ferry.cli.commands.ApiOptions;
import dev.ferry.cli.output.Output;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "version", description = "Print this client's version and the version of the server at --api-url, if one answers.")
public final class VersionCommand implements Runnable {
    @Mixin
    ApiOptions options;

    @Override
    public void run() {
        Output out = options.output();
        if (out.json()) {
            out.print(Versions.json(options.url()));
            return;
        }
        for (String line : Versions.lines(options.url())) out.line(line);
    }
}
