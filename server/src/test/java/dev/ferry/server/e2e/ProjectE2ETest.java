package dev.ferry.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.common.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deploying from a project (issue #6) end to end: local bare git repositories behind file://
 * URLs, real git, real Python, the packaged jar as server, worker and CLI, and the wizard driven
 * through a pseudo-terminal.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProjectE2ETest {
    private static final String POOL = "project-pool";
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(180);

    @TempDir
    static Path tmp;

    private Map<String, String> env;
    private Path origin;
    private Path repo;
    private Path home;
    private FerryJar atRoot;
    private FerryJar inFlows;
    private FerryJar.Background server;
    private FerryJar atWorker;
    private FerryJar.Background worker;
    private int port;

    @BeforeAll
    void startServerAndMakeTheRepository() throws Exception {
        port = FerryJar.freePort();
        home = tmp.resolve("ferry-home");
        env = new HashMap<>();
        env.put("FERRY_API_URL", "http://127.0.0.1:" + port);
        env.put("FERRY_HOME", home.toString());

        origin = tmp.resolve("origin.git");
        repo = tmp.resolve("analytics");
        git(tmp, "init", "-q", "--bare", "-b", "main", origin.toString());
        git(tmp, "init", "-q", "-b", "main", repo.toString());
        Files.createDirectories(repo.resolve("flows"));
        Files.createDirectories(repo.resolve("wheels"));
        // The jar helpers write their captured output beside the working directory: not project files.
        Files.writeString(repo.resolve(".gitignore"), "out*.txt\nerr*.txt\nbg*.txt\n");
        Files.writeString(repo.resolve("flows/etl.py"), etl("v1"));
        Files.writeString(repo.resolve("flows/uses_pkg.py"), """
                import tinypkg

                def flow(fn):
                    return fn

                @flow
                def uses_pkg():
                    print(tinypkg.GREETING)
                """);
        Files.writeString(repo.resolve("requirements.txt"), "--no-index\n./wheels/tinypkg-0.1-py3-none-any.whl\n");
        wheel(repo.resolve("wheels/tinypkg-0.1-py3-none-any.whl"));
        git(repo, "remote", "add", "origin", originUrl());
        commitAndPush("first version");

        atRoot = new FerryJar(repo, env);
        inFlows = new FerryJar(repo.resolve("flows"), env);
        server = atRoot.start("server", "start", "--port", String.valueOf(port), "--data", tmp.resolve("data").toString());
        await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200))
                .until(() -> server.output().contains("Ferry server listening on http://127.0.0.1:" + port));
    }

    @AfterAll
    void stopAll() throws Exception {
        if (atRoot != null) atRoot.close();
        if (inFlows != null) inFlows.close();
        if (atWorker != null) atWorker.close(); // the worker would outlive the suite
    }

    @Test
    @Order(1)
    void theWizard_inATerminal_makesAPool_deploys_andSavesFerryYaml() throws Exception {
        Path other = tmp.resolve("wizard-repo");
        Path otherOrigin = tmp.resolve("wizard-origin.git");
        git(tmp, "init", "-q", "--bare", "-b", "main", otherOrigin.toString());
        git(tmp, "init", "-q", "-b", "main", other.toString());
        Files.createDirectories(other.resolve("jobs"));
        Files.writeString(other.resolve("jobs/report.py"), """
                from somewhere import flow

                @flow(name="report")
                def report(day: str = "today"):
                    print("report", day)
                """);
        git(other, "remote", "add", "origin", otherOrigin.toUri().toString());
        git(other, "add", "-A");
        git(other, "commit", "-q", "-m", "report");
        git(other, "push", "-q", "-u", "origin", "main");

        Result wizard = pty(other, List.of(
                List.of("Which flow do you want to deploy?", "1"),
                List.of("Deployment name", "daily"),
                List.of("Name of the process pool to create", "wizard-pool"),
                List.of("Schedule", ""),
                List.of("How do workers get the code?", "1"),
                List.of("Save this deployment", "y")), "deploy");

        assertThat(wizard.code()).as(wizard.out()).isZero();
        assertThat(wizard.out()).contains("jobs/report.py:report").contains("Created work pool 'wizard-pool'")
                .contains("Deployment 'report/daily' created").contains("Saved to ferry.yaml");
        String saved = Files.readString(other.resolve("ferry.yaml"));
        assertThat(saved).contains("git_clone").contains(otherOrigin.toUri().toString().replaceAll("/$", ""))
                .contains("entrypoint: jobs/report.py:report").contains("name: wizard-pool");
        JsonNode deployment = Json.tree(atRoot.ok("deployment", "inspect", "report/daily"));
        assertThat(deployment.path("pull_steps").get(0).path("git_clone").path("commit").asText())
                .isEqualTo(head(other));

        FerryJar.Result again = new FerryJar(other, env).run("deploy", "--no-prompt");
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.out()).contains("Deployment 'report/daily' updated");
    }

    @Test
    @Order(2)
    void init_findsTheFlows_andAGitClonePullStep() throws Exception {
        atRoot.ok("work-pool", "create", "--type", "process", POOL);
        String out = atRoot.ok("init", "--pool", POOL);

        assertThat(out).contains("Wrote").contains("ferry.yaml");
        JsonNode written = yaml(repo.resolve("ferry.yaml"));
        assertThat(written.path("pull").get(0).path("git_clone").path("repository").asText()).isEqualTo(originUrl());
        assertThat(written.path("pull").get(1).path("pip_install_requirements").path("requirements_file").asText())
                .isEqualTo("requirements.txt");
        assertThat(written.path("deployments").findValuesAsText("entrypoint"))
                .containsExactlyInAnyOrder("flows/etl.py:etl", "flows/uses_pkg.py:uses_pkg");
        assertThat(atRoot.run("init").exitCode()).isEqualTo(2);
    }

    @Test
    @Order(3)
    void deployFromASubdirectory_storesRootRelativeEntrypoints_andPinsTheCommit() throws Exception {
        Files.writeString(repo.resolve("ferry.yaml"), """
                name: analytics
                pull:
                  - git_clone:
                      repository: %s
                      branch: main
                deployments:
                  - name: nightly
                    entrypoint: flows/etl.py:etl
                    version: "{{ git.commit }}"
                    tags: [etl]
                    parameters: {days: 1}
                    work_pool: {name: %s}
                  - name: weekly
                    entrypoint: flows/etl.py:etl
                    parameters: {days: 7}
                    work_pool: {name: %s, job_variables: {env: {MODE: weekly}}}
                  - name: with-reqs
                    entrypoint: flows/uses_pkg.py:uses_pkg
                    work_pool: {name: %s}
                    pull:
                      - git_clone: {repository: %s, branch: main, id: code}
                      - pip_install_requirements: {requirements_file: requirements.txt, directory: "{{ code.directory }}"}
                """.formatted(originUrl(), POOL, POOL, POOL, originUrl()));
        commitAndPush("ferry.yaml");
        String commit = head(repo);

        String out = inFlows.ok("deploy", "-n", "nightly");

        assertThat(out).contains("Deployment 'etl/nightly' created (workers clone commit " + commit.substring(0, 12) + ")");
        JsonNode nightly = Json.tree(atRoot.ok("deployment", "inspect", "etl/nightly"));
        assertThat(nightly.path("entrypoint").asText()).isEqualTo("flows/etl.py:etl");
        assertThat(nightly.path("version").asText()).isEqualTo(commit);
        JsonNode clone = nightly.path("pull_steps").get(0).path("git_clone");
        assertThat(clone.path("commit").asText()).isEqualTo(commit);
        assertThat(clone.path("branch").asText()).isEqualTo("main");

        String single = inFlows.ok("deploy", "etl.py:etl", "-n", "local", "-p", POOL);
        assertThat(single).contains("Deployment 'etl/local' created");
        assertThat(Json.tree(atRoot.ok("deployment", "inspect", "etl/local")).path("entrypoint").asText())
                .isEqualTo("flows/etl.py:etl");
    }

    @Test
    @Order(4)
    void twoDeploymentsOfOneFile_deployTogether_andOverridesForBothAreRefused() throws Exception {
        FerryJar.Result refused = atRoot.run("deploy", "-n", "etl/*", "--param", "days=3");
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("--param").contains("nightly").contains("weekly").contains("-n NAME");

        String out = atRoot.ok("deploy", "-n", "etl/*");

        assertThat(out).contains("Deployment 'etl/nightly' updated").contains("Deployment 'etl/weekly' created");
        JsonNode weekly = Json.tree(atRoot.ok("deployment", "inspect", "etl/weekly"));
        assertThat(weekly.path("parameters").path("days").asInt()).isEqualTo(7);
        assertThat(weekly.path("job_variables").path("env").path("MODE").asText()).isEqualTo("weekly");
        assertThat(Json.tree(atRoot.ok("deployment", "inspect", "etl/nightly")).path("parameters").path("days").asInt())
                .isEqualTo(1);
    }

    @Test
    @Order(5)
    void aRun_clonesThePinnedCommit_whileTheBranchMovesOn() throws Exception {
        Path workerDir = tmp.resolve("worker");
        Files.createDirectories(workerDir.resolve("flows"));
        Files.writeString(workerDir.resolve("flows/etl.py"), etl("local-copy"));
        atWorker = new FerryJar(workerDir, env);
        worker = atWorker.start("worker", "start", "--pool", POOL, "--name", "project-worker");
        await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(300))
                .until(() -> worker.output().contains("Worker 'project-worker' started"));
        Files.writeString(repo.resolve("flows/etl.py"), etl("v2"));
        commitAndPush("v2, not deployed");

        FerryJar.Result first = atRoot.run(RUN_TIMEOUT, "deployment", "run", "etl/nightly", "--watch");
        FerryJar.Result second = atRoot.run(RUN_TIMEOUT, "deployment", "run", "etl/nightly", "--watch");

        assertThat(first.exitCode()).as(first.out() + first.err()).isZero();
        assertThat(first.out()).contains("etl v1 days=1").doesNotContain("etl v2").contains("git_clone: cloned");
        assertThat(second.exitCode()).as(second.out() + second.err()).isZero();
        assertThat(second.out()).contains("etl v1 days=1").contains("git_clone: reusing the checkout");
    }

    @Test
    @Order(6)
    void withoutPullSteps_theWorkerRunsItsOwnCopy_andSaysSo() throws Exception {
        FerryJar.Result run = atRoot.run(RUN_TIMEOUT, "deployment", "run", "etl/local", "--watch");

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("etl local-copy").contains("no pull steps: running the code in")
                .contains("(the worker's working directory)");
    }

    @Test
    @Order(7)
    void requirements_areInstalledOnce_andTheVirtualenvIsReused() throws Exception {
        atRoot.ok("deploy", "-n", "with-reqs");

        FerryJar.Result first = atRoot.run(RUN_TIMEOUT, "deployment", "run", "uses-pkg/with-reqs", "--watch");
        assertThat(first.exitCode()).as(first.out() + first.err()).isZero();
        assertThat(first.out()).contains("hi from tinypkg").contains("pip_install_requirements: creating virtualenv");
        Path marker = onlyVenvMarker();
        FileTime installed = Files.getLastModifiedTime(marker);

        FerryJar.Result second = atRoot.run(RUN_TIMEOUT, "deployment", "run", "uses-pkg/with-reqs", "--watch");

        assertThat(second.exitCode()).as(second.out() + second.err()).isZero();
        assertThat(second.out()).contains("hi from tinypkg").contains("pip_install_requirements: reusing virtualenv")
                .doesNotContain("creating virtualenv");
        assertThat(onlyVenvMarker()).isEqualTo(marker);
        assertThat(Files.getLastModifiedTime(marker)).isEqualTo(installed);
    }

    @Test
    @Order(8)
    void aFailingClone_failsTheRun_namingTheStep_andLeavesNoHalfClone() throws Exception {
        Path file = tmp.resolve("broken.yaml");
        Files.writeString(file, """
                deployments:
                  - name: missing-commit
                    entrypoint: analytics/flows/etl.py:etl
                    work_pool: {name: %s}
                    pull:
                      - git_clone: {repository: %s, commit: %s}
                  - name: missing-repo
                    entrypoint: analytics/flows/etl.py:etl
                    work_pool: {name: %s}
                    pull:
                      - git_clone: {repository: %s, branch: main}
                """.formatted(POOL, originUrl(), "0123456789abcdef0123456789abcdef01234567", POOL,
                tmp.resolve("nowhere.git").toUri()));
        new FerryJar(tmp, env).ok("deploy", "--file", file.toString(), "--all");

        for (String name : List.of("missing-commit", "missing-repo")) {
            FerryJar.Result run = atRoot.run(RUN_TIMEOUT, "deployment", "run", "etl/" + name, "--watch");
            assertThat(run.exitCode()).as(run.out()).isEqualTo(1);
            assertThat(run.out()).contains("Failed - pull step 1 (git_clone) failed: ");
        }
        try (Stream<Path> all = Files.walk(home.resolve("pull/git"))) {
            assertThat(all.map(Path::getFileName).map(Path::toString)).noneMatch(n -> n.startsWith(".tmp-"));
        }
    }

    @Test
    @Order(9)
    void uncommittedChangesToTheFlow_areRefused_untilAllowDirty() throws Exception {
        Files.writeString(repo.resolve("flows/etl.py"), etl("v3-uncommitted"));

        FerryJar.Result refused = inFlows.run("deploy", "-n", "nightly");

        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("uncommitted changes to flows/etl.py").contains("--allow-dirty")
                .doesNotContain("Exception");
        FerryJar.Result allowed = inFlows.run("deploy", "-n", "nightly", "--allow-dirty");
        assertThat(allowed.exitCode()).as(allowed.err()).isZero();
        assertThat(allowed.err()).contains("warning: etl/nightly: deploying commit").contains("flows/etl.py");
        git(repo, "checkout", "--", "flows/etl.py");
    }

    @Test
    @Order(10)
    void redeployWithAChangedSchedule_replacesIt() throws Exception {
        Path file = repo.resolve("scheduled.yaml");
        String yaml = """
                deployments:
                  - name: scheduled
                    entrypoint: flows/etl.py:etl
                    work_pool: {name: %s}
                    pull: []
                    schedules: [{cron: "%s", timezone: Europe/Berlin}]
                """;
        Files.writeString(file, yaml.formatted(POOL, "0 2 * * *"));
        atRoot.ok("deploy", "--file", "scheduled.yaml");
        Files.writeString(file, yaml.formatted(POOL, "30 3 * * *"));

        atRoot.ok("deploy", "--file", "scheduled.yaml");

        JsonNode schedules = Json.tree(atRoot.ok("deployment", "inspect", "etl/scheduled")).path("schedules");
        assertThat(schedules.size()).isEqualTo(1);
        assertThat(schedules.get(0).path("cron").asText()).isEqualTo("30 3 * * *");
        assertThat(schedules.get(0).path("timezone").asText()).isEqualTo("Europe/Berlin");

        atRoot.ok("deploy", "--file", "scheduled.yaml", "--cron", "0 4 * * *");
        JsonNode fromFlags = Json.tree(atRoot.ok("deployment", "inspect", "etl/scheduled")).path("schedules");
        assertThat(fromFlags.size()).isEqualTo(1);
        assertThat(fromFlags.get(0).path("cron").asText()).isEqualTo("0 4 * * *");
    }

    @Test
    @Order(11)
    void flowRunExecute_runsARunADispatcherClaimed() throws Exception {
        atRoot.ok("work-pool", "create", "--type", "process", "dispatch-pool");
        atRoot.ok("deploy", "-n", "nightly", "-p", "dispatch-pool", "--flow-name", "etl-dispatched");
        JsonNode created = Json.tree(atRoot.ok("deployment", "run", "etl-dispatched/nightly", "--output", "json"));
        String id = created.path("id").asText();
        JsonNode claim = post("/api/work_pools/dispatch-pool/get_scheduled_flow_runs",
                "{\"worker_name\": \"ecs-dispatcher\", \"limit\": 1}");
        assertThat(claim.path("items").get(0).path("flow_run").path("id").asText()).isEqualTo(id);
        Map<String, String> container = new HashMap<>(env);
        container.put("FERRY_API_KEY", claim.path("items").get(0).path("run_token").asText());
        Path empty = Files.createDirectories(tmp.resolve("container"));

        FerryJar.Result executed = new FerryJar(empty, container).run(RUN_TIMEOUT, "flow-run", "execute", id);

        assertThat(executed.exitCode()).as(executed.out() + executed.err()).isZero();
        assertThat(executed.out()).contains("etl v2 days=1");
        JsonNode run = Json.tree(atRoot.ok("flow-run", "inspect", id));
        assertThat(run.path("state").path("type").asText()).isEqualTo("COMPLETED");
        assertThat(atRoot.ok("flow-run", "logs", id)).contains("git_clone").contains("etl v2 days=1");

        FerryJar.Result again = new FerryJar(empty, container).run("flow-run", "execute", id);
        assertThat(again.exitCode()).isEqualTo(2);
        assertThat(again.err()).contains("is Completed").contains("PENDING");
    }

    // ---- helpers

    private record Result(int code, String out) {}

    /** Runs the jar under a pseudo-terminal, answering each prompt once its text has appeared. */
    private Result pty(Path dir, List<List<String>> answers, String... args) throws Exception {
        Path driver = tmp.resolve("pty_driver.py");
        Files.writeString(driver, """
                import json, os, pty, select, sys, time
                command = json.loads(sys.argv[1]); answers = json.loads(sys.argv[2])
                pid, fd = pty.fork()
                if pid == 0:
                    os.execvp(command[0], command)
                seen = b""
                def read(timeout):
                    global seen
                    ready, _, _ = select.select([fd], [], [], timeout)
                    if not ready: return False
                    try: chunk = os.read(fd, 4096)
                    except OSError: return None
                    if not chunk: return None
                    seen += chunk
                    return True
                at = 0
                for expect, reply in answers:
                    deadline = time.time() + 90
                    while expect.encode() not in seen[at:]:
                        if time.time() > deadline or read(1) is None:
                            sys.stdout.write(seen.decode(errors="replace")); print("\\nPTY: never saw " + expect); sys.exit(99)
                    at = seen.index(expect.encode(), at) + len(expect)
                    os.write(fd, (reply + "\\n").encode())
                while read(120) is not None: pass
                _, status = os.waitpid(pid, 0)
                sys.stdout.write(seen.decode(errors="replace"))
                sys.exit(os.waitstatus_to_exitcode(status))
                """);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", FerryJar.clientJar().toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder("python3", driver.toString(), Json.string(Json.MAPPER.valueToTree(command)),
                Json.string(Json.MAPPER.valueToTree(answers))).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("FERRY_"));
        builder.environment().putAll(env);
        Process p = builder.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the pty driver did not finish");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private JsonNode post(String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return Json.tree(answer.body());
    }

    private Path onlyVenvMarker() throws IOException {
        try (Stream<Path> venvs = Files.list(home.resolve("pull/venvs"))) {
            List<Path> dirs = venvs.filter(Files::isDirectory).toList();
            assertThat(dirs).hasSize(1);
            return dirs.get(0).resolve(".ferry-complete");
        }
    }

    private static JsonNode yaml(Path file) throws IOException {
        return new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(file.toFile());
    }

    private static String etl(String version) {
        return """
                def flow(fn=None, **options):
                    return fn if fn is not None else (lambda f: f)

                VERSION = "%s"

                @flow
                def etl(days: int = 1):
                    print(f"etl {VERSION} days={days}")
                """.formatted(version);
    }

    private String originUrl() {
        return origin.toUri().toString().replaceAll("/$", "");
    }

    private void commitAndPush(String message) throws Exception {
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", message);
        git(repo, "push", "-q", "-u", "origin", "main");
    }

    private static String head(Path dir) throws Exception {
        return git(dir, "rev-parse", "HEAD").strip();
    }

    private static String git(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git", "-c", "user.name=Ferry Test", "-c",
                "user.email=test@ferry.invalid", "-c", "commit.gpgsign=false"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("git %s: %s", String.join(" ", args), out).isZero();
        return out;
    }

    private static void wheel(Path file) throws IOException {
        Map<String, String> entries = Map.of(
                "tinypkg/__init__.py", "GREETING = \"hi from tinypkg\"\n",
                "tinypkg-0.1.dist-info/METADATA", "Metadata-Version: 2.1\nName: tinypkg\nVersion: 0.1\n",
                "tinypkg-0.1.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: ferry-test\nRoot-Is-Purelib: true\n"
                        + "Tag: py3-none-any\n",
                "tinypkg-0.1.dist-info/RECORD", "tinypkg/__init__.py,,\ntinypkg-0.1.dist-info/METADATA,,\n"
                        + "tinypkg-0.1.dist-info/WHEEL,,\ntinypkg-0.1.dist-info/RECORD,,\n");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            for (Map.Entry<String, String> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
    }
}
