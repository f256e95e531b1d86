package dev.ferry.cli.worker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.flows.PythonScripts;
import dev.ferry.cli.git.Git;
import dev.ferry.core.deployments.PullSteps;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.stream.Stream;

/**
 * Runs a deployment's pull steps before a run, in order: {@code git_clone}, {@code set_working_directory},
 * {@code run_shell_script}, {@code pip_install_requirements}. What they leave behind is cached under
 * {@code <ferry home>/pull}: a clone per commit and a virtualenv per requirements file, each built
 * in a temporary place (or behind a completion marker) so that a failed or interrupted step never
 * leaves half a checkout or half an environment for the next run to trip on.
 */
final class PullStepRunner {
    static final String COMPLETE = ".ferry-complete";
    static final long SCRIPT_TIMEOUT_SECONDS = 1800;
    private static final int TAIL_CHARS = 1500;

    /** Where the flow runs after the steps, and with what. */
    record Result(Path directory, Map<String, String> env, String python) {}

    /** A step that failed; the run fails with this message. */
    static final class StepFailed extends RuntimeException {
        StepFailed(String message) {
            super(message);
        }
    }

    private final Path home;
    private final Map<String, String> env;
    private final Consumer<String> log;

    /**
     * @param home Ferry's home directory (caches go under {@code pull/})
     * @param env the environment {@code {{ env.NAME }}} reads and the steps' processes get
     * @param log one line per event, for the run's logs
     */
    PullStepRunner(Path home, Map<String, String> env, Consumer<String> log) {
        this.home = home;
        this.env = env;
        this.log = log;
    }

    Result run(List<JsonNode> steps, Path start) {
        Path dir = start;
        Map<String, String> extraEnv = new LinkedHashMap<>();
        String python = null;
        Map<String, Map<String, String>> outputs = new HashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            JsonNode step = steps.get(i);
            String kind = step.fieldNames().hasNext() ? step.fieldNames().next() : "?";
            String label = "pull step " + (i + 1) + " (" + kind + ")";
            JsonNode body = step.path(kind);
            Map<String, String> out;
            try {
                Resolver r = new Resolver(outputs, label);
                switch (kind) {
                    case "git_clone":
                        out = gitClone(r, body);
                        dir = Path.of(out.get("directory"));
                        break;
                    case "set_working_directory":
                        out = setWorkingDirectory(r, body, dir);
                        dir = Path.of(out.get("directory"));
                        break;
                    case "run_shell_script":
                        out = runShellScript(r, body, dir, extraEnv);
                        break;
                    case "pip_install_requirements":
                        out = pipInstall(r, body, dir);
                        python = out.get("python");
                        extraEnv.put("VIRTUAL_ENV", out.get("venv"));
                        extraEnv.put("PATH", Path.of(out.get("venv"), "bin") + java.io.File.pathSeparator
                                + env.getOrDefault("PATH", ""));
                        break;
                    default:
                        throw new StepFailed("unknown step '" + kind + "'; this worker knows " + PullSteps.FIELDS.keySet());
                }
            } catch (StepFailed e) {
                throw new StepFailed(label + " failed: " + e.getMessage());
            } catch (IOException | RuntimeException e) {
                throw new StepFailed(label + " failed: " + (e.getMessage() == null ? e.getClass().getSimpleName()
                        : e.getMessage()));
            }
            if (body.hasNonNull("id")) outputs.put(body.get("id").asText(), out);
        }
        log.accept("[ferry] pull steps done; the flow runs in " + dir);
        return new Result(dir, extraEnv, python);
    }

    // ---- git_clone

    private Map<String, String> gitClone(Resolver r, JsonNode body) throws IOException {
        String repository = r.text(body, "repository");
        String token = r.text(body, "access_token");
        String branch = r.text(body, "branch");
        String commit = r.text(body, "commit");
        for (String value : new String[] {repository, branch, commit}) {
            // git reads an argument that starts with '-' as an option (--upload-pack=... runs a command)
            if (value != null && value.startsWith("-")) {
                throw new StepFailed("git_clone refused '" + Git.redact(value) + "': it starts with '-', which git reads as an option");
            }
        }
        String shown = Git.redact(repository);
        String url = withToken(repository, token);
        Path cache = home.resolve("pull").resolve("git").resolve(hash(shown.getBytes(StandardCharsets.UTF_8)));
        Files.createDirectories(cache);
        if (commit == null) {
            String ref = branch != null ? "refs/heads/" + branch : "HEAD";
            Git.Result ls = Git.run(cache, List.of("ls-remote", url, ref));
            if (!ls.ok()) throw new StepFailed("cannot reach " + shown + ": " + tail(redactAll(ls.err(), token)));
            String line = ls.out().lines().filter(l -> l.endsWith("\t" + ref)).findFirst().orElse(null);
            if (line == null) {
                throw new StepFailed(shown + " has no " + (branch != null ? "branch '" + branch + "'" : "HEAD"));
            }
            commit = line.substring(0, line.indexOf('\t'));
        }
        if (commit.length() == 40) {
            Path done = cache.resolve(commit);
            if (Files.isDirectory(done)) {
                log.accept("[ferry] git_clone: reusing the checkout of " + shown + " at " + commit.substring(0, 12));
                return Map.of("directory", done.toString(), "commit", commit);
            }
        }
        Path temp = cache.resolve(".tmp-" + UUID.randomUUID());
        try {
            Git.Result init = Git.run(cache, List.of("init", "-q", temp.toString()));
            if (!init.ok()) throw new StepFailed("git init failed: " + tail(init.err()));
            // Fetched by URL, never stored as a remote: an access token must not land in .git/config.
            Git.Result fetch = Git.run(temp, List.of("fetch", "-q", "--depth", "1", url, commit));
            if (!fetch.ok()) {
                // An abbreviated commit, or a server that refuses to fetch by hash: fetch it all.
                Git.Result full = Git.run(temp, List.of("fetch", "-q", url,
                        branch != null ? "refs/heads/" + branch : "+refs/heads/*:refs/remotes/origin/*"));
                if (!full.ok()) {
                    throw new StepFailed("cannot clone " + shown + ": " + tail(redactAll(full.err(), token)));
                }
            }
            Git.Result resolved = Git.run(temp, List.of("rev-parse", "--verify", "-q", commit + "^{commit}"));
            if (!resolved.ok()) throw new StepFailed(shown + " has no commit " + commit);
            String full = resolved.out().strip();
            Git.Result checkout = Git.run(temp, List.of("-c", "advice.detachedHead=false", "checkout", "-q", full));
            if (!checkout.ok()) throw new StepFailed("checkout of " + full + " failed: " + tail(checkout.err()));
            Path done = cache.resolve(full);
            try {
                Files.move(temp, done, StandardCopyOption.ATOMIC_MOVE);
                log.accept("[ferry] git_clone: cloned " + shown + " at " + full.substring(0, 12) + " into " + done);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                // Another run cloned the same commit a moment ago: use theirs.
                log.accept("[ferry] git_clone: reusing the checkout of " + shown + " at " + full.substring(0, 12));
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, done);
            }
            return Map.of("directory", done.toString(), "commit", full);
        } finally {
            deleteTree(temp);
        }
    }

    static String withToken(String repository, String token) {
        if (token == null || token.isBlank() || !repository.startsWith("https://") || repository.contains("@")) {
            return repository;
        }
        String rest = repository.substring("https://".length());
        String user = rest.startsWith("gitlab") ? "oauth2:" : rest.startsWith("bitbucket") ? "x-token-auth:"
                : "x-access-token:";
        return "https://" + user + token + "@" + rest;
    }

    // ---- set_working_directory

    private Map<String, String> setWorkingDirectory(Resolver r, JsonNode body, Path dir) {
        Path target = dir.resolve(r.text(body, "directory")).normalize();
        if (!Files.isDirectory(target)) throw new StepFailed("directory " + target + " does not exist");
        log.accept("[ferry] set_working_directory: " + target);
        return Map.of("directory", target.toString());
    }

    // ---- run_shell_script

    private Map<String, String> runShellScript(Resolver r, JsonNode body, Path dir, Map<String, String> extraEnv)
            throws IOException {
        String script = r.text(body, "script");
        Path where = body.hasNonNull("directory") ? dir.resolve(r.text(body, "directory")).normalize() : dir;
        boolean stream = !body.has("stream_output") || body.get("stream_output").asBoolean();
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", script).directory(where.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        builder.environment().putAll(extraEnv);
        body.path("env").fields().forEachRemaining(e -> builder.environment().put(e.getKey(),
                r.resolve(e.getValue().asText(), "env." + e.getKey())));
        log.accept("[ferry] run_shell_script in " + where);
        Process p = builder.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> lines(p.getInputStream(), stream));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> lines(p.getErrorStream(), stream));
        try {
            if (!p.waitFor(SCRIPT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new StepFailed("the script did not finish within " + SCRIPT_TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new StepFailed("interrupted");
        }
        String stdout = out.join();
        String stderr = err.join();
        if (p.exitValue() != 0) {
            throw new StepFailed("the script exited with code " + p.exitValue() + (stderr.isBlank() ? "" : ": " + tail(stderr)));
        }
        return Map.of("stdout", stdout.strip(), "stderr", stderr.strip());
    }

    private String lines(InputStream in, boolean stream) {
        StringBuilder all = new StringBuilder();
        try (in) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1)) {
                if (line.isEmpty()) continue;
                all.append(line).append('\n');
                if (stream) log.accept(line);
            }
        } catch (IOException e) {
            // what was read is what there is
        }
        return all.toString();
    }

    // ---- pip_install_requirements

    private Map<String, String> pipInstall(Resolver r, JsonNode body, Path dir) throws IOException {
        Path where = body.hasNonNull("directory") ? dir.resolve(r.text(body, "directory")).normalize() : dir;
        String name = body.hasNonNull("requirements_file") ? r.text(body, "requirements_file") : "requirements.txt";
        Path requirements = where.resolve(name).normalize();
        if (!Files.isRegularFile(requirements)) throw new StepFailed("no requirements file " + requirements);
        String python = PythonScripts.python();
        byte[] content = Files.readAllBytes(requirements);
        // The interpreter is part of the key: a venv made by another Python is not this one's.
        String key = hash(python.getBytes(StandardCharsets.UTF_8), content);
        Path venvs = home.resolve("pull").resolve("venvs");
        Files.createDirectories(venvs);
        Path venv = venvs.resolve(key);
        Path venvPython = venv.resolve("bin").resolve("python");
        Map<String, String> out = Map.of("venv", venv.toString(), "python", venvPython.toString());
        // One install per requirements file at a time, across runs and workers of this machine.
        try (FileChannel channel = FileChannel.open(venvs.resolve(key + ".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock ignored = channel.lock()) {
            if (Files.isRegularFile(venv.resolve(COMPLETE))) {
                log.accept("[ferry] pip_install_requirements: reusing virtualenv " + key + " (" + name + " unchanged)");
                return out;
            }
            deleteTree(venv); // what a failed or killed install left
            log.accept("[ferry] pip_install_requirements: creating virtualenv " + key + " from " + name);
            try {
                exec(List.of(python, "-m", "venv", venv.toString()), where, "creating the virtualenv");
                exec(List.of(venvPython.toString(), "-m", "pip", "install", "--disable-pip-version-check",
                        "--no-input", "-q", "-r", requirements.toString()), where, "pip install -r " + name);
                Files.writeString(venv.resolve(COMPLETE), java.time.Instant.now() + "\n");
            } catch (RuntimeException | IOException e) {
                deleteTree(venv);
                throw e;
            }
        }
        return out;
    }

    private void exec(List<String> command, Path dir, String what) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(env);
        builder.environment().put("PIP_NO_INPUT", "1");
        Process p = builder.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = p.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
        try {
            if (!p.waitFor(SCRIPT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new StepFailed(what + " did not finish within " + SCRIPT_TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new StepFailed("interrupted");
        }
        if (p.exitValue() != 0) throw new StepFailed(what + " failed (exit code " + p.exitValue() + "): " + tail(out.join()));
    }

    // ---- templates

    /** Resolves {@code {{ env.NAME }}} and {@code {{ step_id.output }}} in one step's fields. */
    private final class Resolver {
        private final Map<String, Map<String, String>> outputs;
        private final String label;

        Resolver(Map<String, Map<String, String>> outputs, String label) {
            this.outputs = outputs;
            this.label = label;
        }

        String text(JsonNode body, String field) {
            JsonNode v = body.get(field);
            if (v == null || v.isNull()) return null;
            String value = resolve(v.asText(), field);
            return value.isBlank() ? null : value;
        }

        String resolve(String text, String field) {
            Matcher m = PullSteps.TEMPLATE.matcher(text);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String expression = m.group(1);
                String value;
                if (expression.startsWith("env.")) {
                    value = env.get(expression.substring(4));
                    if (value == null) {
                        throw new StepFailed("'" + field + "' needs environment variable " + expression.substring(4)
                                + ", which is not set on this worker");
                    }
                } else {
                    int dot = expression.indexOf('.');
                    Map<String, String> step = dot < 0 ? null : outputs.get(expression.substring(0, dot));
                    value = step == null ? null : step.get(expression.substring(dot + 1));
                    if (value == null) throw new StepFailed("'" + field + "': template " + m.group() + " has no value");
                }
                m.appendReplacement(out, Matcher.quoteReplacement(value));
            }
            m.appendTail(out);
            return out.toString();
        }
    }

    // ---- helpers

    private static String hash(byte[]... parts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (byte[] part : parts) {
                digest.update(part);
                digest.update((byte) 0);
            }
            return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    private static String redactAll(String text, String token) {
        String t = token == null || token.isBlank() ? text : text.replace(token, "***");
        return Git.redact(t);
    }

    private static String tail(String text) {
        String t = text.strip();
        return t.length() <= TAIL_CHARS ? t : "…" + t.substring(t.length() - TAIL_CHARS);
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            List<Path> all = new ArrayList<>(walk.sorted(Comparator.reverseOrder()).toList());
            for (Path p : all) {
                p.toFile().setWritable(true);
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // best effort: a leftover temp directory is never used, being named .tmp-*
        }
    }
}
