package dev.ferry.cli.project;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.flows.PythonScripts;
import dev.ferry.core.common.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Finds the flows of a repository: Python functions decorated with something named {@code flow}
 * ({@code @flow}, {@code @flow(...)}, {@code @prefect.flow}, {@code @ferry.flow(...)}). The files are
 * parsed, never imported, so discovery runs no user code and needs none of its dependencies.
 */
public final class FlowDiscovery {
    static final long TIMEOUT_SECONDS = 60;
    static final int MAX_FILES = 5000;

    private static final String SCRIPT = String.join("\n",
            "import ast, json, os, sys",
            "root = sys.argv[1]; limit = int(sys.argv[2]); found = []; seen = 0",
            "skip = {'.git', '.hg', 'node_modules', '__pycache__', 'site-packages', 'venv', '.venv', 'env', 'build', 'dist'}",
            "def named_flow(d):",
            "    if isinstance(d, ast.Call): d = d.func",
            "    if isinstance(d, ast.Name): return d.id == 'flow'",
            "    if isinstance(d, ast.Attribute): return d.attr == 'flow'",
            "    return False",
            "for dirpath, dirnames, filenames in os.walk(root):",
            "    dirnames[:] = sorted(n for n in dirnames if n not in skip and not n.startswith('.'))",
            "    for name in sorted(filenames):",
            "        if not name.endswith('.py'): continue",
            "        seen += 1",
            "        if seen > limit: break",
            "        path = os.path.join(dirpath, name)",
            "        try:",
            "            tree = ast.parse(open(path, 'rb').read(), path)",
            "        except Exception:",
            "            continue",
            "        rel = os.path.relpath(path, root).replace(os.sep, '/')",
            "        for node in tree.body:",
            "            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(named_flow(d) for d in node.decorator_list):",
            "                found.append(rel + ':' + node.name)",
            "print(json.dumps(found))");

    private FlowDiscovery() {}

    /** The flows under {@code root} as root-relative entrypoints, in path order; empty when Python can't tell. */
    public static List<String> find(Path root) {
        List<String> command = List.of(PythonScripts.python(), "-c", SCRIPT, root.toString(), String.valueOf(MAX_FILES));
        try {
            Process p = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(false).start();
            p.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p));
            CompletableFuture.runAsync(() -> drain(p));
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return List.of();
            }
            if (p.exitValue() != 0) return List.of();
            JsonNode list = Json.tree(out.join().strip());
            List<String> found = new ArrayList<>();
            list.forEach(n -> found.add(n.asText()));
            return found;
        } catch (IOException | IllegalArgumentException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    private static String read(Process p) {
        try {
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "[]";
        }
    }

    private static void drain(Process p) {
        try {
            p.getErrorStream().readAllBytes();
        } catch (IOException e) {
            // nothing to report: discovery answers what it found
        }
    }
}
