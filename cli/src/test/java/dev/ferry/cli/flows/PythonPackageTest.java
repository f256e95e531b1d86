package dev.ferry.cli.flows;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Python unit tests of the ferry module and the prefect stand-in ({@code python/tests}), run
 * with the interpreter flows run with, so {@code mvn verify} fails when they do.
 */
class PythonPackageTest {
    private static final Path PYTHON_DIR = Path.of("..", "python").toAbsolutePath().normalize();

    @Test
    void pythonUnitTestsPass() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(PythonScripts.python(), "-m", "unittest", "discover",
                "-s", "tests", "-t", ".", "-v")
                .directory(PYTHON_DIR.toFile())
                .redirectErrorStream(true);
        builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        builder.environment().remove("FERRY_LOG_LEVEL");
        builder.environment().remove("PYTHONPATH");
        Process process = builder.start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("python tests finished within 120 s").isTrue();
        String text = new String(output, StandardCharsets.UTF_8);

        assertThat(process.exitValue()).as(text).isZero();
        Matcher ran = Pattern.compile("Ran (\\d+) tests?").matcher(text);
        assertThat(ran.find()).as(text).isTrue();
        assertThat(Integer.parseInt(ran.group(1))).as("tests found under python/tests").isGreaterThanOrEqualTo(20);
    }
}
