package dev.ferry.cli.project;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.commands.UsageError;
import dev.ferry.cli.flows.FlowSignature;
import dev.ferry.cli.git.Git;
import dev.ferry.core.common.Json;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "init", description = "Write a ferry.yaml for this repository: a deployment for each flow found "
        + "(functions decorated with @flow, and those an existing ferry.yaml names) and, when the repository has a "
        + "git remote, a git_clone pull step so workers fetch the code.")
public final class InitCommand implements Callable<Integer> {
    @Option(names = {"-p", "--pool"}, paramLabel = "POOL", description = "The work pool the deployments run in.")
    String pool;

    @Option(names = "--force", description = "Replace an existing ferry.yaml (its deployments are kept).")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Path cwd = Path.of("").toAbsolutePath().normalize();
        Path gitRoot = Git.root(cwd);
        Path root = gitRoot != null ? gitRoot : cwd;
        Path target = root.resolve(ProjectFile.FILE_NAME);
        ProjectFile existing = null;
        if (Files.isRegularFile(target)) {
            if (!force) {
                throw new UsageError(target + " exists; pass --force to write it again (its deployments are kept), "
                        + "or edit it");
            }
            existing = ProjectFile.read(target, ProjectFile.FILE_NAME);
        }
        ObjectNode file = Json.MAPPER.createObjectNode().put("name", root.getFileName().toString());
        ArrayNode pull = Json.MAPPER.createArrayNode();
        String remote = gitRoot != null ? Git.remoteUrl(gitRoot) : null;
        if (remote != null) {
            ObjectNode clone = pull.addObject().putObject("git_clone").put("repository", remote);
            String branch = Git.branch(gitRoot);
            if (branch != null) clone.put("branch", branch);
            if (remote.startsWith("https://")) clone.put("access_token", "{{ env.GIT_TOKEN }}");
        }
        if (Files.isRegularFile(root.resolve("requirements.txt"))) {
            pull.addObject().putObject("pip_install_requirements").put("requirements_file", "requirements.txt");
        }
        if (existing != null && existing.hasTopLevelPull()) file.set("pull", existing.pull());
        else if (!pull.isEmpty()) file.set("pull", pull);

        ArrayNode deployments = file.putArray("deployments");
        Set<String> entrypoints = new LinkedHashSet<>();
        if (existing != null) {
            for (ProjectFile.Entry e : existing.deployments()) {
                deployments.add(e.node());
                entrypoints.add(e.entrypoint());
            }
        }
        List<String> found = FlowDiscovery.find(root);
        int added = 0;
        for (String entrypoint : found) {
            if (!entrypoints.add(entrypoint)) continue;
            String function = entrypoint.substring(entrypoint.lastIndexOf(':') + 1);
            ObjectNode d = deployments.addObject().put("name", FlowSignature.flowName(function))
                    .put("entrypoint", entrypoint);
            d.putObject("work_pool").put("name", pool != null ? pool : "my-process-pool");
            added++;
        }
        String header = "# Ferry project file: 'ferry deploy --all' deploys every deployment below,\n"
                + "# 'ferry deploy -n NAME' one of them. Keys and pull steps: docs/projects.md.\n";
        ProjectWriter.write(target, header, file);

        PrintWriter out = spec.commandLine().getOut();
        out.println("Wrote " + target + " with " + deployments.size() + " deployment(s)"
                + (added < deployments.size() ? " (" + added + " new)" : "")
                + (remote != null ? "; workers clone " + Git.redact(remote) : "; no git remote, so workers run the code "
                + "in their working directory"));
        if (found.isEmpty()) out.println("No functions decorated with @flow were found; add deployments by hand.");
        if (pool == null && added > 0) out.println("Deployments run in work pool 'my-process-pool'; edit work_pool.name "
                + "or pass --pool next time.");
        out.flush();
        return 0;
    }
}
