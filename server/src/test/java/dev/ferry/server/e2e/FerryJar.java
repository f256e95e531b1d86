package dev.ferry.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged jars, run the way a user runs them: {@code java -jar} subprocesses with their own
 * environment and working directory. {@code ferry server ...} runs from the server distribution
 * (ferry-server.jar), every other command from the client and worker distribution (ferry.jar), so
 * the tests prove that the client needs nothing of the server's. Background processes are stopped
 * by {@link #close()}.
 */
final class FerryJar implements AutoCloseable {
    record Result(int exitCode, String out, String err) {}

    /** A background {@code ferry} process whose output is collected in a file. */
    record Background(Process process, Path log) {
        String output() {
            try {
                return Files.readString(log, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        }
    }

    private final Path workDir;
    private final Map<String, String> env;
    private final List<Background> started = new ArrayList<>();

    FerryJar(Path workDir, Map<String, String> env) {
        this.workDir = workDir;
        this.env = env;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    Result run(Duration timeout, String... args) throws Exception {
        Path out = Files.createTempFile(workDir, "out", ".txt");
        Path err = Files.createTempFile(workDir, "err", ".txt");
        Process process = builder(args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("ferry " + String.join(" ", args) + " did not finish within " + timeout
                    + "; it printed:\n" + Files.readString(out) + Files.readString(err));
        }
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    Result run(String... args) throws Exception {
        return run(Duration.ofSeconds(60), args);
    }

    /** Runs and expects exit code 0, answering stdout. */
    String ok(String... args) throws Exception {
        Result result = run(args);
        assertThat(result.exitCode()).as("ferry %s\nstdout: %s\nstderr: %s", String.join(" ", args), result.out(),
                result.err()).isZero();
        return result.out();
    }

    Background start(String... args) throws IOException {
        Path output = Files.createTempFile(workDir, "bg", ".txt");
        Process process = builder(args).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        Background background = new Background(process, output);
        started.add(background);
        return background;
    }

    private ProcessBuilder builder(String... args) {
        Path jar = args.length > 0 && args[0].equals("server") ? serverJar() : clientJar();
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-jar", jar.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        // Nothing from the developer's own Ferry setup (URL, keys, home) may leak into the test.
        builder.environment().keySet().removeIf(name -> name.startsWith("FERRY_"));
        builder.environment().putAll(env);
        return builder;
    }

    /** SIGTERM, as Ctrl-C or a service manager would, then SIGKILL for whatever is left. */
    static void stop(Process process, Duration grace) throws InterruptedException {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) process.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
    }

    @Override
    public void close() throws InterruptedException {
        for (Background b : started) {
            if (b.process().isAlive()) stop(b.process(), Duration.ofSeconds(20));
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The client and worker distribution, built by the cli module before this one. */
    static Path clientJar() {
        return packaged("../cli/target/ferry.jar");
    }

    /** The server distribution: the whole command, server included. */
    static Path serverJar() {
        return packaged("target/ferry-server.jar");
    }

    private static Path packaged(String path) {
        String basedir = System.getProperty("basedir", "");
        Path jar = (basedir.isEmpty() ? Path.of("") : Path.of(basedir)).toAbsolutePath().resolve(path).normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing; the E2E tests run the packaged jars "
                    + "(mvn -pl server -am verify builds them first)");
        }
        return jar;
    }
}
