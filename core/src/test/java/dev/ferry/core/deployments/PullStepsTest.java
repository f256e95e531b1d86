package dev.ferry.core.deployments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Json;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PullStepsTest {

    private static List<JsonNode> steps(String json) {
        List<JsonNode> list = new ArrayList<>();
        Json.tree(json).forEach(list::add);
        return list;
    }

    @Test
    void everyKindOfStep_withTemplatesTheWorkerResolves_isAccepted() {
        assertThatCode(() -> PullSteps.validate("pull_steps", steps("""
                [{"git_clone": {"repository": "https://example.com/a.git", "branch": "main",
                                "access_token": "{{ env.GIT_TOKEN }}", "id": "code"}},
                 {"set_working_directory": {"directory": "{{ code.directory }}/flows"}},
                 {"run_shell_script": {"script": "echo {{ code.commit }}", "env": {"A": "{{ env.A }}"},
                                       "stream_output": false, "id": "sh"}},
                 {"pip_install_requirements": {"requirements_file": "requirements.txt"}}]
                """))).doesNotThrowAnyException();
        assertThatCode(() -> PullSteps.validate("pull_steps", null)).doesNotThrowAnyException();
        assertThatCode(() -> PullSteps.validate("pull_steps", List.of())).doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "{2}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            [{"git_pull": {"repository": "x"}}]                                     | pull_steps[0].git_pull                 | unknown pull step 'git_pull'
            [{"prefect.deployments.steps.git_clone": {"repository": "x"}}]          | pull_steps[0].prefect.deployments.steps.git_clone | short name
            [{"git_clone": {"repository": "x"}, "set_working_directory": {}}]        | pull_steps[0]                          | one key
            ["git_clone"]                                                           | pull_steps[0]                          | one key
            [{"git_clone": {"branch": "main"}}]                                     | pull_steps[0].git_clone.repository     | needs 'repository'
            [{"git_clone": {"repository": "x", "brnach": "main"}}]                  | pull_steps[0].git_clone.brnach         | unknown field 'brnach'
            [{"git_clone": {"repository": 5}}]                                      | pull_steps[0].git_clone.repository     | must be text
            [{"git_clone": {"repository": "x", "commit": "main"}}]                  | pull_steps[0].git_clone.commit         | commit hash
            [{"git_clone": {"repository": "{{ nope }}"}}]                           | pull_steps[0].git_clone.repository     | bad template
            [{"git_clone": {"repository": "{{ git.commit }}"}}]                     | pull_steps[0].git_clone.repository     | resolved by 'ferry deploy'
            [{"git_clone": {"repository": "{{ env.X"}}]                             | pull_steps[0].git_clone.repository     | unbalanced
            [{"set_working_directory": {"directory": "{{ later.directory }}"}}, {"git_clone": {"repository": "x", "id": "later"}}] | pull_steps[0].set_working_directory.directory | names no earlier step
            [{"git_clone": {"repository": "x", "id": "c"}}, {"set_working_directory": {"directory": "{{ c.stdout }}"}}] | pull_steps[1].set_working_directory.directory | outputs are [directory, commit]
            [{"git_clone": {"repository": "x", "id": "c"}}, {"git_clone": {"repository": "y", "id": "c"}}] | pull_steps[1].git_clone.id | used by an earlier step
            [{"git_clone": {"repository": "x", "id": "env"}}]                       | pull_steps[0].git_clone.id             | not 'env' or 'git'
            [{"run_shell_script": {"script": "x", "env": {"A": {"b": 1}}}}]          | pull_steps[0].run_shell_script.env.A   | must be text
            [{"run_shell_script": {"script": "x", "stream_output": "yes"}}]          | pull_steps[0].run_shell_script.stream_output | true or false
            [{"git_clone": {"repository": "--upload-pack=touch /tmp/owned"}}]       | pull_steps[0].git_clone.repository     | must not start with '-'
            [{"git_clone": {"repository": "x", "branch": "-b"}}]                    | pull_steps[0].git_clone.branch         | git would read it as an option
            """)
    void badSteps_areRefused_namingTheField(String json, String field, String message) {
        BadInput e = catchThrowableOfType(BadInput.class, () -> PullSteps.validate("pull_steps", steps(json)));

        assertThat(e).as(json).isNotNull();
        assertThat(e.status()).isEqualTo(422);
        assertThat(e.field()).isEqualTo(field);
        assertThat(e.getMessage()).contains(message);
    }

    @Test
    void tooManySteps_areRefused() {
        List<JsonNode> many = new ArrayList<>();
        for (int i = 0; i <= PullSteps.MAX_STEPS; i++) many.add(Json.tree("{\"set_working_directory\": {\"directory\": \".\"}}"));

        BadInput e = catchThrowableOfType(BadInput.class, () -> PullSteps.validate("pull_steps", many));

        assertThat(e.field()).isEqualTo("pull_steps");
    }
}
