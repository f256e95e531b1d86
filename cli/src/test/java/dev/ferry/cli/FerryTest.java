package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.cli.commands.ServerStub;
import dev.ferry.cli.testing.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class FerryTest {
    private static final PrintWriter NOWHERE = new PrintWriter(new StringWriter());

    @Test
    void aNamedCommand_buildsOnlyItsOwnSubtree() {
        var cli = Ferry.commandLine(NOWHERE, NOWHERE, new ServerStub(), new String[] {"work-pool", "ls"});

        assertThat(cli.getSubcommands()).containsOnlyKeys("work-pool");
    }

    @Test
    void noCommandOrAnOption_buildsTheWholeTree() {
        var none = Ferry.commandLine(NOWHERE, NOWHERE, new ServerStub(), new String[0]);
        var version = Ferry.commandLine(NOWHERE, NOWHERE, new ServerStub(), new String[] {"--version"});

        assertThat(none.getSubcommands()).containsKeys("server", "work-pool", "work-queue", "worker", "deployment", "help");
        assertThat(version.getSubcommands()).containsOnlyKeys(none.getSubcommands().keySet());
    }

    @Test
    void help_stillKnowsEveryCommand() {
        Cli.Result result = Cli.run("help", "work-pool");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("Usage: ferry work-pool");
    }

    @Test
    void aMistypedCommand_isRefusedAgainstTheWholeTree() {
        Cli.Result result = Cli.run("work-pol", "ls");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("'work-pol'");
    }
}
