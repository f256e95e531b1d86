package dev.ferry.cli.commands;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code ferry server} in the client and worker distribution, which carries neither SQLite nor the
 * AWS SDK: it says where the server is instead of failing as an unknown command.
 */
@Command(name = "server", description = "Run the Ferry API on this machine (in the server distribution, ferry-server.jar).")
public final class ServerStub implements Callable<Integer> {
    @Unmatched
    List<String> given;

    @Override
    public Integer call() {
        throw new UsageError("this ferry is the client and worker distribution (ferry.jar), which has no server in it; "
                + "start the server with ./ferry server start in a Ferry checkout, or java -jar ferry-server.jar server start");
    }
}
