package dev.ferry.cli.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.common.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PullStepRunnerTest {
    @TempDir
    Path tmp;

    private final List<String> logs = new ArrayList<>();

    private PullStepRunner runner(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(env);
        all.put("PATH", System.getenv("PATH"));
        return new PullStepRunner(tmp.resolve("home"), all, logs::add);
    }

    private static List<JsonNode> steps(String json) {
        List<JsonNode> list = new ArrayList<>();
        Json.tree(json).forEach(list::add);
        return list;
    }

    @Test
    void scriptsAndDirectories_chainThroughStepOutputs_andEnvTemplates() throws Exception {
        Files.createDirectories(tmp.resolve("work/sub"));

        PullStepRunner.Result result = runner(Map.of("GREETING", "hello")).run(steps("""
                [{"run_shell_script": {"script": "echo sub; echo note >&2", "id": "pick"}},
                 {"set_working_directory": {"directory": "{{ pick.stdout }}", "id": "dir"}},
                 {"run_shell_script": {"script": "echo \\"$WHO in $(basename $(pwd)) from {{ dir.directory }}\\"",
                                       "env": {"WHO": "{{ env.GREETING }}"}}}]
                """), tmp.resolve("work"));

        assertThat(result.directory()).isEqualTo(tmp.resolve("work/sub"));
        assertThat(logs).contains("sub", "note", "hello in sub from " + tmp.resolve("work/sub"));
        assertThat(result.python()).isNull();
    }

    @Test
    void aMissingEnvironmentVariable_failsTheStep_namingIt() {
        assertThatThrownBy(() -> runner(Map.of()).run(steps("""
                [{"set_working_directory": {"directory": "."}},
                 {"run_shell_script": {"script": "true", "env": {"T": "{{ env.FERRY_TEST_UNSET_TOKEN }}"}}}]
                """), tmp))
                .isInstanceOf(PullStepRunner.StepFailed.class)
                .hasMessage("pull step 2 (run_shell_script) failed: 'env.T' needs environment variable "
                        + "FERRY_TEST_UNSET_TOKEN, which is not set on this worker");
    }

    @Test
    void aCloneArgumentThatGitWouldReadAsAnOption_isRefused_evenWhenATemplateMadeIt() {
        Path owned = tmp.resolve("owned");

        assertThatThrownBy(() -> runner(Map.of("REPO", "--upload-pack=touch " + owned)).run(steps("""
                [{"git_clone": {"repository": "{{ env.REPO }}"}}]
                """), tmp))
                .isInstanceOf(PullStepRunner.StepFailed.class)
                .hasMessageContaining("starts with '-'");
        assertThat(owned).doesNotExist();
    }

    @Test
    void aFailingScript_failsWithItsExitCodeAndStderr() {
        assertThatThrownBy(() -> runner(Map.of()).run(steps("""
                [{"run_shell_script": {"script": "echo broken >&2; exit 3", "stream_output": false}}]
                """), tmp))
                .hasMessage("pull step 1 (run_shell_script) failed: the script exited with code 3: broken");
        assertThat(logs).doesNotContain("broken");
    }

    @Test
    void aCloneOfAMissingCommit_failsAndLeavesNothingBehind() throws Exception {
        Path origin = tmp.resolve("origin.git");
        Process init = new ProcessBuilder("git", "init", "-q", "--bare", origin.toString()).start();
        assertThat(init.waitFor()).isZero();

        assertThatThrownBy(() -> runner(Map.of()).run(steps("""
                [{"git_clone": {"repository": "%s", "commit": "0123456789abcdef0123456789abcdef01234567"}}]
                """.formatted(origin.toUri())), tmp))
                .hasMessageStartingWith("pull step 1 (git_clone) failed: ");
        try (Stream<Path> all = Files.walk(tmp.resolve("home/pull/git"))) {
            assertThat(all.filter(p -> !p.equals(tmp.resolve("home/pull/git"))).map(p -> p.getFileName().toString()))
                    .allMatch(name -> !name.startsWith(".tmp-") && name.length() == 16);
        }
    }

    @Test
    void tokens_goIntoHttpsUrlsOnly() {
        assertThat(PullStepRunner.withToken("https://github.com/o/r.git", "t0k")).isEqualTo("https://x-access-token:t0k@github.com/o/r.git");
        assertThat(PullStepRunner.withToken("https://gitlab.com/o/r.git", "t0k")).isEqualTo("https://oauth2:t0k@gitlab.com/o/r.git");
        assertThat(PullStepRunner.withToken("git@github.com:o/r.git", "t0k")).isEqualTo("git@github.com:o/r.git");
        assertThat(PullStepRunner.withToken("https://github.com/o/r.git", null)).isEqualTo("https://github.com/o/r.git");
    }
}
