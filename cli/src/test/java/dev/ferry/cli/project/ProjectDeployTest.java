package dev.ferry.cli.project;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.testing.Cli;
import dev.ferry.cli.testing.Cli.Result;
import dev.ferry.cli.testing.FakeApi;
import dev.ferry.cli.testing.FakeApi.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code ferry deploy --file} against a fake API: what is sent for a ferry.yaml, and every input
 * refused before anything is sent (exit 2, file:line and key named, no stack trace).
 */
class ProjectDeployTest {
    @TempDir
    Path dir;

    private final FakeApi fake = new FakeApi();

    @BeforeEach
    void flows() throws Exception {
        Files.createDirectories(dir.resolve("flows"));
        Files.writeString(dir.resolve("flows/etl.py"), "def etl(days: int = 1, name: str = 'x'):\n    print(days)\n");
        fake.on("POST", "/api/deployments", call -> Reply.json(201, ((ObjectNode) call.body().deepCopy()).put("id", "d1")));
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    private Result deploy(String yaml, String... extra) throws Exception {
        Path file = dir.resolve("ferry.yaml");
        Files.writeString(file, yaml);
        String[] base = {"deploy", "--file", file.toString(), "--no-prompt", "--api-url", fake.url().toString()};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return Cli.run(args);
    }

    private static final String TWO = """
            name: analytics
            pull:
              - git_clone:
                  repository: https://example.com/org/analytics.git
                  branch: main
                  access_token: "{{ env.GIT_TOKEN }}"
              - pip_install_requirements: {requirements_file: requirements.txt}
            deployments:
              - name: nightly
                entrypoint: flows/etl.py:etl
                description: Nightly load
                tags: [etl]
                parameters: {days: 1}
                work_pool: {name: my-process-pool, work_queue_name: default, job_variables: {env: {MODE: prod}}}
                schedules: [{cron: "0 2 * * *", timezone: Europe/Berlin}]
                concurrency_limit: {limit: 1, collision_strategy: CANCEL_NEW}
              - name: weekly
                entrypoint: flows/etl.py:etl
                work_pool: {name: my-process-pool}
                pull: []
            """;

    @Test
    void aDeployment_isSentAsWritten_withRuntimeTemplatesKept() throws Exception {
        Result result = deploy(TWO, "-n", "nightly", "--param", "name=007");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("Deployment 'etl/nightly' created");
        JsonNode sent = fake.calls("POST", "/api/deployments").get(0).body();
        assertThat(sent.path("entrypoint").asText()).isEqualTo("flows/etl.py:etl");
        assertThat(sent.path("parameters").path("days").asInt()).isEqualTo(1);
        assertThat(sent.path("parameters").path("name").asText()).isEqualTo("007");
        assertThat(sent.path("work_queue_name").asText()).isEqualTo("default");
        assertThat(sent.path("job_variables").path("env").path("MODE").asText()).isEqualTo("prod");
        assertThat(sent.path("schedules").get(0).path("cron").asText()).isEqualTo("0 2 * * *");
        assertThat(sent.path("concurrency_limit").asInt()).isEqualTo(1);
        assertThat(sent.path("collision_strategy").asText()).isEqualTo("CANCEL_NEW");
        assertThat(sent.path("pull_steps").get(0).path("git_clone").path("access_token").asText())
                .isEqualTo("{{ env.GIT_TOKEN }}");
        assertThat(sent.path("pull_steps").size()).isEqualTo(2);
    }

    @Test
    void theFlowDecoratorFillsWhatFerryYamlLeavesOut_andFerryYamlWinsOverIt() throws Exception {
        Files.writeString(dir.resolve("flows/decorated.py"), """
                import ferry

                @ferry.flow(name="warehouse", retries=4, description="From the decorator.")
                def load():
                    pass
                """);
        String yaml = """
                deployments:
                  - name: plain
                    entrypoint: flows/decorated.py:load
                    work_pool: {name: my-process-pool}
                    pull: []
                  - name: written
                    entrypoint: flows/decorated.py:load
                    flow_name: loader
                    description: From ferry.yaml.
                    retries: 1
                    work_pool: {name: my-process-pool}
                    pull: []
                """;

        Result result = deploy(yaml, "--all");

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode plain = fake.calls("POST", "/api/deployments").get(0).body();
        JsonNode written = fake.calls("POST", "/api/deployments").get(1).body();
        assertThat(plain.path("flow_name").asText()).isEqualTo("warehouse");
        assertThat(plain.path("description").asText()).isEqualTo("From the decorator.");
        assertThat(plain.path("retries").asInt()).isEqualTo(4);
        assertThat(written.path("flow_name").asText()).isEqualTo("loader");
        assertThat(written.path("description").asText()).isEqualTo("From ferry.yaml.");
        assertThat(written.path("retries").asInt()).isEqualTo(1);
    }

    @Test
    void withoutScheduleKeysOrFlags_schedulesAreLeftOut_soTheServerKeepsThem() throws Exception {
        Result result = deploy(TWO, "-n", "weekly");

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode sent = fake.calls("POST", "/api/deployments").get(0).body();
        assertThat(sent.has("schedules")).isFalse();
        assertThat(sent.path("pull_steps").size()).isZero();
        assertThat(result.err()).contains("warning: etl/weekly: no pull steps");
    }

    @Test
    void triggers_areSentAsWritten_theirEventTemplatesLeftForTheServer() throws Exception {
        String yaml = """
                deployments:
                  - name: load
                    entrypoint: flows/etl.py:etl
                    work_pool: {name: my-process-pool}
                    pull: []
                    triggers:
                      - name: after-extract
                        expect: [ferry.flow-run.Completed]
                        match_related: {ferry.resource.name: etl/extract}
                        parameters: {upstream: "{{ event.resource['ferry.resource.name'] }}"}
                  - name: quiet
                    entrypoint: flows/etl.py:etl
                    work_pool: {name: my-process-pool}
                    pull: []
                    triggers: []
                """;

        Result load = deploy(yaml, "-n", "load");
        Result quiet = deploy(yaml, "-n", "quiet");
        Result weekly = deploy(TWO, "-n", "weekly");

        assertThat(load.exitCode()).as(load.err()).isZero();
        List<FakeApi.Call> calls = fake.calls("POST", "/api/deployments");
        JsonNode trigger = calls.get(0).body().path("triggers").get(0);
        assertThat(trigger.path("name").asText()).isEqualTo("after-extract");
        assertThat(trigger.at("/parameters/upstream").asText()).isEqualTo("{{ event.resource['ferry.resource.name'] }}");
        assertThat(quiet.exitCode()).isZero();
        assertThat(calls.get(1).body().path("triggers").isArray()).isTrue();
        assertThat(calls.get(1).body().path("triggers")).as("an empty list removes them").isEmpty();
        assertThat(weekly.exitCode()).isZero();
        assertThat(calls.get(2).body().has("triggers")).as("no key: the server keeps them").isFalse();
    }

    @Test
    void scheduleFlags_buildOneSchedule() throws Exception {
        Result result = deploy(TWO, "-n", "weekly", "--interval", "1h", "--timezone", "Europe/Paris");

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode schedule = fake.calls("POST", "/api/deployments").get(0).body().path("schedules").get(0);
        assertThat(schedule.path("interval").asLong()).isEqualTo(3600);
        assertThat(schedule.path("timezone").asText()).isEqualTo("Europe/Paris");
    }

    @Test
    void all_deploysEveryDeployment_butOverridesForSeveralAreRefused() throws Exception {
        Result refused = deploy(TWO, "--all", "-p", "other");

        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).isEqualTo("error: --pool would apply to all 2 deployments selected (nightly, weekly); "
                + "pick one with -n NAME, or put the values in ferry.yaml\n");
        assertThat(fake.calls()).isEmpty();

        Result all = deploy(TWO, "--all");
        assertThat(all.exitCode()).as(all.err()).isZero();
        assertThat(fake.calls("POST", "/api/deployments")).hasSize(2);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            unknown top-level key  | build: []                                                    | ferry.yaml:1: build: unknown key 'build'
            unknown deployment key | deployments: [{name: a, entrypoint: flows/etl.py:etl, shedules: []}] | ferry.yaml:1: deployments[0].shedules: unknown key 'shedules'
            unknown work_pool key  | deployments: [{name: a, entrypoint: flows/etl.py:etl, work_pool: {nmae: p}}] | deployments[0].work_pool.nmae: unknown key 'nmae'
            missing entrypoint     | deployments: [{name: a}]                                      | deployments[0]: 'entrypoint' is required
            wrong type             | deployments: [{name: a, entrypoint: flows/etl.py:etl, tags: etl}] | deployments[0].tags: must be a list of text
            unknown step           | pull: [{git_pull: {repository: x}}]\\ndeployments: [{name: a, entrypoint: flows/etl.py:etl, work_pool: {name: p}}] | ferry.yaml:1: pull[0].git_pull: unknown pull step 'git_pull'
            unknown step field     | pull: [{git_clone: {repository: x, brnach: main}}]\\ndeployments: [{name: a, entrypoint: flows/etl.py:etl, work_pool: {name: p}}] | pull[0].git_clone.brnach: unknown field 'brnach'
            bad template           | pull: [{git_clone: {repository: '{{ nope }}'}}]\\ndeployments: [{name: a, entrypoint: flows/etl.py:etl, work_pool: {name: p}}] | pull[0].git_clone.repository: bad template '{{ nope }}'
            unknown step output    | pull: [{git_clone: {repository: x, id: c}}, {set_working_directory: {directory: '{{ c.stdout }}'}}]\\ndeployments: [{name: a, entrypoint: flows/etl.py:etl, work_pool: {name: p}}] | a git_clone step's outputs are [directory, commit]
            unbalanced braces      | deployments: [{name: a, entrypoint: flows/etl.py:etl, work_pool: {name: p}, version: '{{ git.commit'}] | deployments[0].version: unbalanced
            git outside a repo     | deployments: [{name: a, entrypoint: flows/etl.py:etl, work_pool: {name: p}, version: '{{ git.commit }}'}] | needs a git repository
            missing env variable   | deployments: [{name: a, entrypoint: flows/etl.py:etl, work_pool: {name: p}, description: '{{ env.FERRY_TEST_SURELY_UNSET }}'}] | environment variable FERRY_TEST_SURELY_UNSET is not set
            no work pool           | deployments: [{name: a, entrypoint: flows/etl.py:etl}]       | names no work pool
            missing file           | deployments: [{name: a, entrypoint: flows/nope.py:etl, work_pool: {name: p}}] | deployments[0].entrypoint: 'flows/nope.py:etl': no such file
            missing function       | deployments: [{name: a, entrypoint: flows/etl.py:nope, work_pool: {name: p}}] | deployments[0].entrypoint:
            duplicate key          | name: a\\nname: b                                              | ferry.yaml:2: key 'name' appears twice
            not YAML               | deployments: [unclosed                                        | not valid YAML
            bad strategy           | deployments: [{name: a, entrypoint: flows/etl.py:etl, work_pool: {name: p}, concurrency_limit: {limit: 1, collision_strategy: DROP}}] | collision_strategy: 'DROP' is not one of ENQUEUE, CANCEL_NEW
            """)
    void refusedInput_exits2_namingTheFileLineAndKey(String why, String yaml, String expected) throws Exception {
        Result result = deploy(yaml.replace("\\n", "\n"));

        assertThat(result.exitCode()).as(result.out() + result.err()).isEqualTo(2);
        assertThat(result.err()).startsWith("error: ").contains(expected).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(fake.calls()).isEmpty();
    }

    @Test
    void aKeyOnALaterLine_isNamedWithThatLine() throws Exception {
        Result result = deploy("""
                name: analytics
                deployments:
                  - name: nightly
                    entrypoint: flows/etl.py:etl
                    work_pool:
                      name: p
                      job_varaibles: {}
                """);

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("ferry.yaml:7: deployments[0].work_pool.job_varaibles: unknown key 'job_varaibles'");
    }

    @Test
    void selection_byGlobAndFlowName_andAnUnknownNameIsRefused() throws Exception {
        Result unknown = deploy(TWO, "-n", "hourly");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("-n 'hourly' matches no deployment").contains("nightly, weekly");

        Result many = deploy(TWO);
        assertThat(many.exitCode()).isEqualTo(2);
        assertThat(many.err()).contains("declares 2 deployments").contains("--all");

        Result glob = deploy(TWO, "-n", "etl/week*");
        assertThat(glob.exitCode()).as(glob.err()).isZero();
        assertThat(fake.calls("POST", "/api/deployments")).hasSize(1);
        assertThat(fake.calls("POST", "/api/deployments").get(0).body().path("name").asText()).isEqualTo("weekly");
    }

    @Test
    void noFerryYaml_isExplained() {
        Result result = Cli.run("deploy", "--no-prompt", "--file", dir.resolve("missing.yaml").toString(),
                "--api-url", fake.url().toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("missing.yaml: no such file");
    }

    @Test
    void globs_matchWholeNames() {
        assertThat(ProjectDeployer.glob("etl/*").matcher("etl/nightly").matches()).isTrue();
        assertThat(ProjectDeployer.glob("night?y").matcher("nightly").matches()).isTrue();
        assertThat(ProjectDeployer.glob("night").matcher("nightly").matches()).isFalse();
        assertThat(ProjectDeployer.glob("a.b").matcher("axb").matches()).isFalse();
    }

    @Test
    void sameRepository_ignoresCredentialsSchemeAndDotGit() {
        assertThat(ProjectDeployer.sameRepository("https://{{ env.T }}@github.com/org/a.git", "git@github.com:org/a.git")).isTrue();
        assertThat(ProjectDeployer.sameRepository("https://github.com/org/a", "https://tok@github.com/org/a.git")).isTrue();
        assertThat(ProjectDeployer.sameRepository("file:///tmp/x/origin.git", "file:///tmp/x/origin.git")).isTrue();
        assertThat(ProjectDeployer.sameRepository("https://github.com/org/b", "https://github.com/org/a")).isFalse();
    }
}
