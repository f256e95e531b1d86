package dev.ferry.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.cli.Ferry;
import dev.ferry.cli.testing.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

class HelpTest {

    static Stream<String> commands() {
        List<String> names = new ArrayList<>();
        collect(Ferry.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())), names);
        return names.stream();
    }

    private static void collect(CommandLine command, List<String> names) {
        names.add(command.getCommandSpec().qualifiedName(" "));
        command.getSubcommands().values().stream().distinct().forEach(sub -> collect(sub, names));
    }

    /** Every usage error points at --help, so every command must answer it. */
    @ParameterizedTest
    @MethodSource("commands")
    void everyCommand_answersHelp(String qualifiedName) {
        List<String> args = new ArrayList<>(List.of(qualifiedName.split(" ")).subList(1, qualifiedName.split(" ").length));
        args.add("--help");

        Cli.Result result = Cli.run(args.toArray(String[]::new));

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("Usage: " + qualifiedName);
    }
}
