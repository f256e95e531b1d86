package dev.ferry.cli.project;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.client.FerryApi;
import dev.ferry.cli.commands.ApiOptions;
import dev.ferry.cli.commands.UsageError;
import dev.ferry.cli.git.Git;
import dev.ferry.core.common.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code ferry deploy} in a terminal with no flags: asks for the flow, the deployment's name, the
 * work pool (making one when there is none), a schedule, and whether workers pull the code from
 * git, then deploys it the way ferry.yaml would and offers to save the answers there.
 */
public final class Wizard {
    private final ApiOptions options;
    private final Path cwd;
    private final Path root;
    private final boolean inGit;
    private final Path projectFile;
    private final BufferedReader in;
    private final PrintWriter out;

    public Wizard(ApiOptions options, Path cwd, Path gitRoot, Path projectFile) {
        this(options, cwd, gitRoot, projectFile,
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
                options.output().writer());
    }

    Wizard(ApiOptions options, Path cwd, Path gitRoot, Path projectFile, BufferedReader in, PrintWriter out) {
        this.options = options;
        this.cwd = cwd;
        this.root = gitRoot != null ? gitRoot : cwd;
        this.inGit = gitRoot != null;
        this.projectFile = projectFile;
        this.in = in;
        this.out = out;
    }

    public int run() {
        ProjectFile existing = projectFile == null ? null : ProjectFile.read(projectFile, shown(projectFile));
        if (existing != null && !existing.deployments().isEmpty()) {
            List<String> choices = new ArrayList<>();
            for (ProjectFile.Entry e : existing.deployments()) choices.add(e.name() + "  (" + e.entrypoint() + ")");
            choices.add("a new deployment");
            int pick = choose(shown(projectFile) + " declares these deployments. Deploy which?", choices, 1);
            if (pick < existing.deployments().size()) {
                ProjectFile.Entry entry = existing.deployments().get(pick);
                return DeployCommand.send(options, List.of(plan(existing, entry)));
            }
        }

        String entrypoint = chooseFlow();
        String name = ask("Deployment name", "default");
        String pool = choosePool(options.api());
        ArrayNode schedules = askSchedule();
        String remote = inGit ? Git.remoteUrl(root) : null;
        boolean pullFromGit = false;
        if (remote != null) {
            pullFromGit = choose("How do workers get the code?", List.of(
                    "pull it from the git remote " + Git.redact(remote) + " (recommended)",
                    "use the code where the worker runs (its working directory)"), 1) == 0;
        }

        ObjectNode deployment = Json.MAPPER.createObjectNode().put("name", name).put("entrypoint", entrypoint);
        deployment.putObject("work_pool").put("name", pool);
        if (schedules != null) deployment.set("schedules", schedules);
        ArrayNode gitPull = Json.MAPPER.createArrayNode();
        if (pullFromGit) {
            ObjectNode clone = gitPull.addObject().putObject("git_clone").put("repository", remote);
            String branch = Git.branch(root);
            if (branch != null) clone.put("branch", branch);
            if (Files.isRegularFile(root.resolve("requirements.txt"))) {
                gitPull.addObject().putObject("pip_install_requirements").put("requirements_file", "requirements.txt");
            }
        }
        boolean topLevelPull = existing != null && existing.hasTopLevelPull();
        ObjectNode file;
        Path target = projectFile != null ? projectFile : root.resolve(ProjectFile.FILE_NAME);
        if (existing != null) {
            file = (ObjectNode) existing.document().root().deepCopy();
            if (!(pullFromGit && topLevelPull && sameSteps(existing.pull(), gitPull))) {
                deployment.set("pull", gitPull);
            }
        } else {
            file = Json.MAPPER.createObjectNode().put("name", root.getFileName().toString());
            if (pullFromGit) file.set("pull", gitPull);
        }
        // The entrypoint in ferry.yaml is relative to the file's directory.
        Path dir = target.toAbsolutePath().getParent();
        deployment.put("entrypoint", relativeTo(dir, entrypoint));
        ArrayNode list = file.has("deployments") && file.get("deployments").isArray()
                ? (ArrayNode) file.get("deployments") : file.putArray("deployments");
        list.add(deployment);
        int index = list.size() - 1;

        ProjectFile candidate = ProjectFile.parse(target, shown(target), ProjectWriter.text(file));
        ProjectFile.Entry entry = candidate.deployments().get(index);
        DeployCommand.send(options, List.of(plan(candidate, entry)));

        if (yes("Save this deployment to " + shown(target) + " so 'ferry deploy -n " + name + "' repeats it?", true)) {
            ProjectWriter.write(target, existing == null ? "# Deployments of this repository; 'ferry deploy --all' "
                    + "deploys them, see docs/projects.md\n" : null, file);
            out.println("Saved to " + shown(target));
            out.flush();
        }
        return 0;
    }

    private ProjectDeployer.Plan plan(ProjectFile project, ProjectFile.Entry entry) {
        Path dir = project.file().toAbsolutePath().getParent();
        Path gitRoot = Git.root(dir);
        Path base = gitRoot != null ? gitRoot : dir;
        ProjectDeployer.Overrides none = new ProjectDeployer.Overrides(null, null, null, null, null, null, null, null,
                null, null, null, null, null, null);
        try {
            return new ProjectDeployer(project, base, gitRoot != null, System::getenv, false).plan(entry, none);
        } catch (UsageError e) {
            if (!e.getMessage().contains("--allow-dirty")) throw e;
            out.println(e.getMessage());
            if (!yes("Deploy anyway?", false)) throw new UsageError("not deployed: " + e.getMessage());
            return new ProjectDeployer(project, base, gitRoot != null, System::getenv, true).plan(entry, none);
        }
    }

    private String chooseFlow() {
        List<String> flows = FlowDiscovery.find(root);
        if (flows.isEmpty()) {
            out.println("No functions decorated with @flow found under " + root + ".");
            return checkEntrypoint(ask("Flow entrypoint (path/file.py:function, from " + root + ")", null));
        }
        List<String> choices = new ArrayList<>(flows);
        choices.add("another function (type its entrypoint)");
        int pick = choose("Which flow do you want to deploy?", choices, 1);
        if (pick < flows.size()) return flows.get(pick);
        return checkEntrypoint(ask("Flow entrypoint (path/file.py:function, from " + root + ")", null));
    }

    private String checkEntrypoint(String entrypoint) {
        int colon = entrypoint.lastIndexOf(':');
        if (colon <= 0 || !Files.isRegularFile(root.resolve(entrypoint.substring(0, colon)))) {
            Path fromHere = colon > 0 ? cwd.resolve(entrypoint.substring(0, colon)).normalize() : null;
            if (fromHere != null && Files.isRegularFile(fromHere) && fromHere.startsWith(root)) {
                return root.relativize(fromHere).toString().replace('\\', '/') + entrypoint.substring(colon);
            }
            throw new UsageError("'" + entrypoint + "' is not path/file.py:function of a file under " + root);
        }
        return entrypoint;
    }

    private String choosePool(FerryApi api) {
        List<JsonNode> pools = api.workPools();
        if (pools.isEmpty()) {
            String name = ask("There is no work pool yet. Name of the process pool to create", "my-process-pool");
            ObjectNode body = Json.MAPPER.createObjectNode().put("name", name).put("type", "process");
            api.createWorkPool(body);
            out.println("Created work pool '" + name + "'; start a worker for it with: ferry worker start --pool '"
                    + name + "'");
            return name;
        }
        List<String> choices = new ArrayList<>();
        for (JsonNode p : pools) choices.add(p.path("name").asText() + "  (" + p.path("type").asText() + ")");
        return pools.get(choose("Which work pool runs it?", choices, 1)).path("name").asText();
    }

    private ArrayNode askSchedule() {
        String answer = ask("Schedule: a cron expression ('0 2 * * *'), an interval in seconds, or empty for none", "");
        if (answer.isBlank()) return null;
        ObjectNode schedule = Json.MAPPER.createObjectNode();
        if (answer.strip().matches("\\d+")) schedule.put("interval", Long.parseLong(answer.strip()));
        else schedule.put("cron", answer.strip());
        String zone = ask("Time zone of the schedule", "UTC");
        if (!zone.isBlank()) schedule.put("timezone", zone.strip());
        ArrayNode list = Json.MAPPER.createArrayNode();
        list.add(schedule);
        return list;
    }

    private int choose(String question, List<String> choices, int defaultChoice) {
        out.println("? " + question);
        for (int i = 0; i < choices.size(); i++) out.println("  " + (i + 1) + ") " + choices.get(i));
        while (true) {
            String answer = ask("Choose 1-" + choices.size(), String.valueOf(defaultChoice));
            try {
                int n = Integer.parseInt(answer.strip());
                if (n >= 1 && n <= choices.size()) return n - 1;
            } catch (NumberFormatException e) {
                // asked again below
            }
            out.println("  please answer with a number from 1 to " + choices.size());
        }
    }

    private boolean yes(String question, boolean defaultYes) {
        while (true) {
            String answer = ask(question + (defaultYes ? " [Y/n]" : " [y/N]"), defaultYes ? "y" : "n");
            String a = answer.strip().toLowerCase(Locale.ROOT);
            if (a.equals("y") || a.equals("yes")) return true;
            if (a.equals("n") || a.equals("no")) return false;
            out.println("  please answer y or n");
        }
    }

    private String ask(String question, String defaultValue) {
        out.print("? " + question + (defaultValue != null && !defaultValue.isEmpty() ? " [" + defaultValue + "]" : "")
                + ": ");
        out.flush();
        String line;
        try {
            line = in.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (line == null) throw new UsageError("no answer (end of input); nothing was deployed");
        line = line.strip();
        if (line.isEmpty()) {
            if (defaultValue == null) return ask(question, null);
            return defaultValue;
        }
        return line;
    }

    private static boolean sameSteps(ArrayNode a, ArrayNode b) {
        return a.equals(b);
    }

    private String relativeTo(Path dir, String rootRelative) {
        int colon = rootRelative.lastIndexOf(':');
        Path file = root.resolve(rootRelative.substring(0, colon));
        return dir.relativize(file).toString().replace('\\', '/') + rootRelative.substring(colon);
    }

    private String shown(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        return abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString();
    }
}
