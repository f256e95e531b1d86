package dev.ferry.cli.flows;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starts the real ferry_runner.py with FlowRunner's command, the way a worker does. */
class FlowRunnerTest {
    private static final String END = "\u0000end-of-stream";

    @TempDir
    Path dir;

    @Test
    void commandIsPythonThenTheExtractedRunnerThenTheEntrypoint() {
        List<String> command = FlowRunner.command("flows/my_flow.py:my_flow");

        assertThat(command).hasSize(3);
        assertThat(command.get(0)).isEqualTo(PythonScripts.python());
        assertThat(Path.of(command.get(1))).isRegularFile().hasFileName("ferry_runner.py");
        assertThat(command.get(2)).isEqualTo("flows/my_flow.py:my_flow");
    }

    @Test
    void syncFlowGetsParametersAsKeywordArgumentsWithTheirJsonTypes() throws Exception {
        write("flows/my_flow.py", """
                def my_flow(name, count: int = 1, options=None, ratio=0.0):
                    for i in range(count):
                        print("hello", name, i)
                    print(type(count).__name__, repr(options), repr(ratio))
                """);

        Run run = run("flows/my_flow.py:my_flow",
                "{\"name\":\"Marvin\",\"count\":2,\"options\":{\"deep\":[1,true,null]},\"ratio\":1.5}");

        assertThat(run.exitCode).as(run.stderr).isZero();
        assertThat(run.stdout).isEqualTo("""
                hello Marvin 0
                hello Marvin 1
                int {'deep': [1, True, None]} 1.5
                """);
        assertThat(run.stderr).isEmpty();
    }

    @Test
    void absentParametersCallTheFunctionWithItsDefaults() throws Exception {
        write("flows/defaults.py", "def defaults(greeting='hi'):\n    print(greeting)\n");

        Run run = run("flows/defaults.py:defaults", null);

        assertThat(run.exitCode).as(run.stderr).isZero();
        assertThat(run.stdout).isEqualTo("hi\n");
    }

    @Test
    void asyncFlowIsRunToCompletion() throws Exception {
        write("flows/async_flow.py", """
                import asyncio
                async def async_flow(delay: float):
                    await asyncio.sleep(delay)
                    print("slept", delay)
                """);

        Run run = run("flows/async_flow.py:async_flow", "{\"delay\":0.05}");

        assertThat(run.exitCode).as(run.stderr).isZero();
        assertThat(run.stdout).isEqualTo("slept 0.05\n");
    }

    @Test
    void decoratedFunctionThatReturnsAnAwaitableIsAwaited() throws Exception {
        write("flows/wrapped.py", """
                import asyncio, functools
                def flow(fn):
                    @functools.wraps(fn)
                    def wrapper(*args, **kwargs):
                        return fn(*args, **kwargs)  # a coroutine, from a plain def
                    return wrapper

                @flow
                async def wrapped(x):
                    await asyncio.sleep(0)
                    print("awaited", x)
                """);

        Run run = run("flows/wrapped.py:wrapped", "{\"x\":7}");

        assertThat(run.exitCode).as(run.stderr).isZero();
        assertThat(run.stdout).isEqualTo("awaited 7\n");
    }

    @Test
    void flowFileIsNotRunAsMain() throws Exception {
        write("flows/main_guard.py", """
                def main_guard():
                    print("module", __name__)
                if __name__ == "__main__":
                    print("the __main__ block ran")
                """);

        Run run = run("flows/main_guard.py:main_guard", null);

        assertThat(run.exitCode).as(run.stderr).isZero();
        assertThat(run.stdout).doesNotContain("__main__ block").startsWith("module ").doesNotContain("module __main__");
    }

    @Test
    void siblingModulesAndPackagesFromTheWorkingDirectoryImport() throws Exception {
        write("flows/helpers.py", "def greet(name):\n    return 'hello ' + name\n");
        write("flows/__init__.py", "");
        write("shared/__init__.py", "");
        write("shared/util.py", "SUFFIX = '!'\n");
        write("flows/my_flow.py", """
                from helpers import greet
                from flows.helpers import greet as greet_again
                from shared.util import SUFFIX
                def my_flow(name):
                    print(greet(name) + SUFFIX, greet_again(name) == greet(name))
                """);

        Run run = run("flows/my_flow.py:my_flow", "{\"name\":\"Marvin\"}");

        assertThat(run.exitCode).as(run.stderr).isZero();
        assertThat(run.stdout).isEqualTo("hello Marvin! True\n");
    }

    @Test
    void positionalOnlyParametersArePassedInOrder() throws Exception {
        write("flows/positional.py", "def positional(a, b, /, c):\n    print(a, b, c)\n");

        Run run = run("flows/positional.py:positional", "{\"c\":3,\"b\":2,\"a\":1}");

        assertThat(run.exitCode).as(run.stderr).isZero();
        assertThat(run.stdout).isEqualTo("1 2 3\n");
    }

    @Test
    void outputIsStreamedLineByLineWhileTheFlowRuns() throws Exception {
        Path proceed = dir.resolve("proceed");
        write("flows/streaming.py", """
                import os, sys, time
                def streaming(proceed):
                    print("first line")
                    print("first error line", file=sys.stderr)
                    deadline = time.time() + 20
                    while not os.path.exists(proceed) and time.time() < deadline:
                        time.sleep(0.02)
                    print("second line" if os.path.exists(proceed) else "gave up waiting")
                """);

        Process process = start("flows/streaming.py:streaming",
                "{\"proceed\":" + jsonString(proceed.toString()) + "}");
        BlockingQueue<String> stdout = lines(process.getInputStream());
        BlockingQueue<String> stderr = lines(process.getErrorStream());
        try {
            // The flow is still waiting for `proceed`, so these lines can only have arrived
            // if the runner flushed them as they were printed.
            assertThat(stdout.poll(15, TimeUnit.SECONDS)).as("stdout line before the flow finished").isEqualTo("first line");
            assertThat(stderr.poll(15, TimeUnit.SECONDS)).as("stderr line before the flow finished")
                    .isEqualTo("first error line");
            assertThat(process.isAlive()).isTrue();

            Files.createFile(proceed);

            assertThat(stdout.poll(15, TimeUnit.SECONDS)).isEqualTo("second line");
            assertThat(process.waitFor(15, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isZero();
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void exceptionInTheFlowGivesOneLineThenTheTracebackAndExitCode1() throws Exception {
        write("flows/boom.py", """
                def boom(what):
                    helper(what)
                def helper(what):
                    raise ValueError("cannot process " + what + "\\nmore detail")
                """);

        Run run = run("flows/boom.py:boom", "{\"what\":\"orders\"}");

        assertThat(run.exitCode).isEqualTo(1);
        List<String> lines = run.stderr.lines().toList();
        assertThat(lines.get(0)).isEqualTo("ferry: flow boom failed: ValueError: cannot process orders");
        assertThat(lines.get(1)).isEqualTo("Traceback (most recent call last):");
        assertThat(run.stderr)
                .contains("boom.py\", line 2, in boom")
                .contains("boom.py\", line 4, in helper")
                .doesNotContain("ferry_runner.py")
                .endsWith("ValueError: cannot process orders\nmore detail\n");
    }

    @Test
    void exceptionInAnAsyncFlowHasATracebackWithoutAsyncioFrames() throws Exception {
        write("flows/async_boom.py", "async def async_boom():\n    raise RuntimeError('async trouble')\n");

        Run run = run("flows/async_boom.py:async_boom", null);

        assertThat(run.exitCode).isEqualTo(1);
        assertThat(run.stderr.lines().findFirst()).hasValue("ferry: flow async_boom failed: RuntimeError: async trouble");
        assertThat(run.stderr).contains("Traceback", "in async_boom").doesNotContain("asyncio", "ferry_runner.py");
    }

    @Test
    void typeErrorRaisedInsideTheFlowIsAFlowFailureNotAParameterMismatch() throws Exception {
        write("flows/inner_type_error.py", "def inner_type_error(x):\n    return len(x)\n");

        Run run = run("flows/inner_type_error.py:inner_type_error", "{\"x\":5}");

        assertThat(run.exitCode).isEqualTo(1);
        assertThat(run.stderr.lines().findFirst())
                .hasValue("ferry: flow inner_type_error failed: TypeError: object of type 'int' has no len()");
        assertThat(run.stderr).contains("Traceback");
    }

    @Test
    void parametersThatDoNotFitTheFunctionAreNamed() throws Exception {
        write("flows/strict.py", "def strict(name, count=1):\n    print('ran')\n");

        Run unknown = run("flows/strict.py:strict", "{\"name\":\"a\",\"cuont\":2}");
        Run missing = run("flows/strict.py:strict", "{}");

        assertThat(unknown.exitCode).isEqualTo(1);
        assertThat(unknown.stdout).isEmpty();
        assertThat(unknown.stderr).isEqualTo(
                "ferry: parameters {cuont, name} do not fit strict(name, count=1): got an unexpected keyword argument 'cuont'\n");
        assertThat(missing.exitCode).isEqualTo(1);
        assertThat(missing.stderr).isEqualTo(
                "ferry: parameters (none given) do not fit strict(name, count=1): missing a required argument: 'name'\n");
    }

    @Test
    void missingFileNamesThePathAndTheWorkingDirectory() throws Exception {
        Run run = run("flows/x.py:my_flow", null);

        assertThat(run.exitCode).isEqualTo(1);
        assertThat(run.stderr).isEqualTo("ferry: flow file 'flows/x.py' not found (cwd " + dir.toRealPath() + ")\n");
    }

    @Test
    void missingFunctionListsTheFunctionsDefinedInTheFile() throws Exception {
        write("flows/my_flow.py", """
                from os.path import join
                def a(): pass
                async def b(): pass
                NOT_A_FUNCTION = 1
                """);

        Run run = run("flows/my_flow.py:my_flow", null);

        assertThat(run.exitCode).isEqualTo(1);
        assertThat(run.stderr).isEqualTo("ferry: function 'my_flow' not found in flows/my_flow.py; found: a, b\n");
    }

    @Test
    void nameThatIsNotCallableIsReported() throws Exception {
        write("flows/constant.py", "constant = 42\n");

        Run run = run("flows/constant.py:constant", null);

        assertThat(run.exitCode).isEqualTo(1);
        assertThat(run.stderr).isEqualTo("ferry: 'constant' in flows/constant.py is not a function (found a value of type int)\n");
    }

    @Test
    void syntaxErrorNamesFileAndLineAndShowsTheLine() throws Exception {
        write("flows/broken.py", "import os\n\ndef broken(:\n    pass\n");

        Run run = run("flows/broken.py:broken", null);

        assertThat(run.exitCode).isEqualTo(1);
        List<String> lines = run.stderr.lines().toList();
        // The wording after the line number is Python's own and differs between versions.
        assertThat(lines.get(0)).startsWith("ferry: syntax error in flows/broken.py line 3: ");
        assertThat(run.stderr).contains("def broken(:").contains("SyntaxError").doesNotContain("importlib", "ferry_runner.py");
    }

    @Test
    void failingImportAtTheTopOfTheFlowFileIsReportedWithItsTraceback() throws Exception {
        write("flows/needs_pkg.py", "import this_package_is_not_installed\ndef needs_pkg(): pass\n");

        Run run = run("flows/needs_pkg.py:needs_pkg", null);

        assertThat(run.exitCode).isEqualTo(1);
        assertThat(run.stderr.lines().findFirst()).hasValue("ferry: importing flows/needs_pkg.py failed: "
                + "ModuleNotFoundError: No module named 'this_package_is_not_installed'");
        assertThat(run.stderr).contains("needs_pkg.py\", line 1, in <module>").doesNotContain("importlib");
    }

    @Test
    void malformedParametersAreReported() throws Exception {
        write("flows/any.py", "def any_flow(**kw): print(kw)\n");

        Run notJson = run("flows/any.py:any_flow", "{name: 1}");
        Run notObject = run("flows/any.py:any_flow", "[1, 2]");

        assertThat(notJson.exitCode).isEqualTo(1);
        assertThat(notJson.stderr).startsWith("ferry: FERRY_PARAMETERS is not valid JSON (");
        assertThat(notObject.exitCode).isEqualTo(1);
        assertThat(notObject.stderr).isEqualTo(
                "ferry: FERRY_PARAMETERS must be a JSON object of parameter names to values, got list\n");
    }

    @Test
    void sysExitInTheFlowSetsTheExitCode() throws Exception {
        write("flows/exits.py", """
                import sys
                def fails_with_3():
                    sys.exit(3)
                def exits_cleanly():
                    print("done")
                    sys.exit(0)
                """);

        Run three = run("flows/exits.py:fails_with_3", null);
        Run zero = run("flows/exits.py:exits_cleanly", null);

        assertThat(three.exitCode).isEqualTo(3);
        assertThat(three.stderr).isEqualTo("ferry: flow fails_with_3 called sys.exit(3)\n");
        assertThat(zero.exitCode).isZero();
        assertThat(zero.stdout).isEqualTo("done\n");
    }

    @Test
    void malformedEntrypointIsReportedByTheRunner() throws Exception {
        Run run = run("flows/my_flow.py", null);

        assertThat(run.exitCode).isEqualTo(1);
        assertThat(run.stderr).isEqualTo(
                "ferry: entrypoint 'flows/my_flow.py' must look like path/to/file.py:function_name\n");
    }

    @Test
    void scriptsAreExtractedWhole() throws Exception {
        Path home = dir.resolve("home");

        Path extracted = PythonScripts.extractTo(home);

        assertThat(extracted.getParent()).isEqualTo(home.resolve("runtime"));
        assertThat(extracted.getFileName().toString()).matches("[0-9a-f]{16}");
        assertThat(extracted.resolve("ferry_runner.py")).hasBinaryContent(PythonScripts.resource("ferry_runner.py"));
        assertThat(extracted.resolve("ferry_signature.py")).hasBinaryContent(PythonScripts.resource("ferry_signature.py"));
        try (var files = Files.list(extracted)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .as("no temp files left behind")
                    .containsExactlyInAnyOrder("ferry_runner.py", "ferry_signature.py", "lib", "shim");
        }
        for (String name : PythonScripts.LIB) {
            assertThat(extracted.resolve(name)).hasBinaryContent(PythonScripts.resource(name));
        }
    }

    @Test
    void theBundledLibListsEveryFileOfThePythonSources() throws IOException {
        // The jar cannot list its own resources, so PythonScripts names them; a file added to python/
        // and not named there would be missing from every worker's runs.
        Path python = Path.of("..", "python");
        List<String> sources = new ArrayList<>();
        for (Map.Entry<String, String> dirs : Map.of("src", "lib/", "shim", "shim/").entrySet()) {
            Path root = python.resolve(dirs.getKey());
            try (var files = Files.walk(root)) {
                files.filter(f -> f.toString().endsWith(".py"))
                        .forEach(f -> sources.add(dirs.getValue() + root.relativize(f).toString().replace('\\', '/')));
            }
        }

        assertThat(PythonScripts.LIB).containsExactlyInAnyOrderElementsOf(sources);
    }

    @Test
    void aPrefectFlowRunsOnTheShim_evenWhenARealPrefectIsInstalled() throws Exception {
        // A stand-in for an installed Prefect: importing it at all fails the test.
        write("site/prefect/__init__.py", "raise RuntimeError('the real prefect was imported')\n");
        write("flows/prefect_flow.py", """
                from prefect import flow, task, get_run_logger
                from prefect.logging import get_run_logger as logging_logger
                from prefect.runtime import flow_run

                @task(retries=1)
                def double(x):
                    return 2 * x

                @flow(name="Prefect ETL", retries=3)
                def etl(n: int = 2):
                    logger = get_run_logger()
                    logger.info("doubled %d to %d", n, double(n))
                    logging_logger().warning("run %s attempt %s", flow_run.id, flow_run.run_count)
                    logger.debug("not shipped")
                """);

        Run run = run("flows/prefect_flow.py:etl", "{\"n\": 21}",
                Map.of("PYTHONPATH", dir.resolve("site").toString(), "FERRY_FLOW_RUN_ID", "run-1",
                        "FERRY_FLOW_RUN_ATTEMPT", "2"));

        assertThat(run.exitCode).as(run.stderr).isZero();
        assertThat(run.stdout).isEqualTo("INFO | doubled 21 to 42\n");
        assertThat(run.stderr).isEqualTo("WARNING | run run-1 attempt 2\n");
    }

    @Test
    void ferryPrefectInstalled_letsTheInstalledPrefectBeImportedInstead() throws Exception {
        write("site/prefect/__init__.py", "raise RuntimeError('the real prefect was imported')\n");
        write("flows/prefect_flow.py", "from prefect import flow\n\n@flow\ndef f():\n    pass\n");

        Run run = run("flows/prefect_flow.py:f", null,
                Map.of("PYTHONPATH", dir.resolve("site").toString(), "FERRY_PREFECT", "installed"));

        assertThat(run.exitCode).isEqualTo(1);
        assertThat(run.stderr).contains("RuntimeError: the real prefect was imported");
    }

    @Test
    void aFlowTimeoutFromTheDecorator_stopsTheRun() throws Exception {
        write("flows/slow.py", """
                import time
                from ferry import flow

                @flow(timeout_seconds=0.5)
                def slow():
                    time.sleep(30)
                """);

        Run run = run("flows/slow.py:slow", null);

        assertThat(run.exitCode).isEqualTo(1);
        assertThat(run.stderr).startsWith("ferry: flow slow failed: TimeoutError: flow slow timed out after 0.5 s");
    }

    @Test
    void aDamagedCopyIsRewritten() throws Exception {
        Path home = dir.resolve("home");
        Path runner = PythonScripts.extractTo(home).resolve("ferry_runner.py");
        Files.writeString(runner, "half a fil");

        PythonScripts.extractTo(home);

        assertThat(runner).hasBinaryContent(PythonScripts.resource("ferry_runner.py"));
    }

    @Test
    void concurrentExtractionsNeverExposeAPartialFile() throws Exception {
        Path home = dir.resolve("home");
        byte[] expected = PythonScripts.resource("ferry_runner.py");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Path>> extractions = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                extractions.add(() -> {
                    Path path = PythonScripts.extractTo(home).resolve("ferry_runner.py");
                    // Whenever a caller gets the path back, the file behind it is complete.
                    assertThat(path).hasBinaryContent(expected);
                    return path;
                });
            }
            for (Future<Path> result : pool.invokeAll(extractions)) {
                assertThat(result.get()).hasBinaryContent(expected);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private record Run(int exitCode, String stdout, String stderr) {}

    private Run run(String entrypoint, String parameters) throws Exception {
        return run(entrypoint, parameters, Map.of());
    }

    private Run run(String entrypoint, String parameters, Map<String, String> extraEnv) throws Exception {
        Process process = start(entrypoint, parameters, extraEnv);
        Future<String> stdout = readAll(process.getInputStream());
        Future<String> stderr = readAll(process.getErrorStream());
        try {
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("flow finished within 30 s").isTrue();
            return new Run(process.exitValue(), stdout.get(5, TimeUnit.SECONDS), stderr.get(5, TimeUnit.SECONDS));
        } finally {
            process.destroyForcibly();
        }
    }

    private Process start(String entrypoint, String parameters) throws IOException {
        return start(entrypoint, parameters, Map.of());
    }

    private Process start(String entrypoint, String parameters, Map<String, String> extraEnv) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(FlowRunner.command(entrypoint)).directory(dir.toFile());
        Map<String, String> env = builder.environment();
        // The runner must make output live by itself, whatever the environment says.
        env.remove("PYTHONUNBUFFERED");
        env.put("PYTHONDONTWRITEBYTECODE", "1");
        env.remove("FERRY_PARAMETERS");
        if (parameters != null) {
            env.put("FERRY_PARAMETERS", parameters);
        }
        env.putAll(extraEnv);
        Process process = builder.start();
        process.getOutputStream().close();
        return process;
    }

    private static Future<String> readAll(InputStream stream) {
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try {
            return reader.submit(() -> new String(stream.readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            reader.shutdown();
        }
    }

    private static BlockingQueue<String> lines(InputStream stream) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process was killed at the end of the test
            }
            lines.add(END);
        });
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    private void write(String relative, String source) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, source);
    }

    private static String jsonString(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
