package dev.ferry.cli.git;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The {@code git} command line: what {@code ferry deploy} asks of the user's repository and what
 * a worker's {@code git_clone} step runs. The real CLI rather than a Java reimplementation: it
 * reads the user's credential helpers, SSH config and every transport git knows.
 */
public final class Git {
    /** A clone of a large repository over a slow link may take a while; a hung one must not hang a run. */
    public static final long TIMEOUT_SECONDS = 600;

    /** What a git command printed and how it ended. */
    public record Result(int code, String out, String err) {
        public boolean ok() {
            return code == 0;
        }
    }

    /** Thrown when git can't be started at all (not installed). */
    public static final class Missing extends RuntimeException {
        Missing(String message) {
            super(message);
        }
    }

    private Git() {}

    public static Result run(Path dir, List<String> args) {
        return run(dir, args, Map.of());
    }

    public static Result run(Path dir, List<String> args, Map<String, String> env) {
        List<String> command = new ArrayList<>();
        command.add("git");
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().putAll(env);
        // Never ask for a password on the terminal: a worker has nobody to answer, and a deploy
        // should say what is wrong instead of waiting.
        builder.environment().put("GIT_TERMINAL_PROMPT", "0");
        builder.environment().putIfAbsent("GIT_ASKPASS", "echo");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new Missing("cannot run git (" + e.getMessage() + "); install git or put it on the PATH");
        }
        try {
            process.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                return new Result(124, "", "git " + args.get(0) + " did not finish within " + TIMEOUT_SECONDS + " s");
            }
            return new Result(process.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return new Result(130, "", "interrupted");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static String value(Path dir, String... args) {
        Result r = run(dir, List.of(args));
        return r.ok() && !r.out().isBlank() ? r.out().strip() : null;
    }

    /** The top of the working tree {@code dir} is in, or null when it is in none (or git is missing). */
    public static Path root(Path dir) {
        try {
            String top = value(dir, "rev-parse", "--show-toplevel");
            return top == null ? null : Path.of(top).toAbsolutePath().normalize();
        } catch (Missing e) {
            return null;
        }
    }

    /** The commit checked out, or null in a repository with no commit yet. */
    public static String head(Path root) {
        return value(root, "rev-parse", "--verify", "-q", "HEAD");
    }

    /** The branch checked out, or null when detached. */
    public static String branch(Path root) {
        String b = value(root, "symbolic-ref", "--short", "-q", "HEAD");
        return b == null || b.isBlank() ? null : b;
    }

    /** The URL of {@code origin}, else of the first remote; null without remotes. */
    public static String remoteUrl(Path root) {
        String origin = value(root, "remote", "get-url", "origin");
        if (origin != null) return origin;
        String remotes = value(root, "remote");
        if (remotes == null) return null;
        return value(root, "remote", "get-url", remotes.lines().findFirst().orElse("origin"));
    }

    /** Files with uncommitted changes (staged, unstaged, untracked and not ignored), relative to the root. */
    public static Set<String> uncommitted(Path root) {
        Result r = run(root, List.of("status", "--porcelain=v1", "-z", "--untracked-files=all"));
        Set<String> files = new LinkedHashSet<>();
        if (!r.ok()) return files;
        String[] entries = r.out().split("\0");
        for (int i = 0; i < entries.length; i++) {
            String e = entries[i];
            if (e.length() < 4) continue;
            files.add(e.substring(3));
            // a rename or copy is followed by its source path
            if (e.charAt(0) == 'R' || e.charAt(0) == 'C') i++;
        }
        return files;
    }

    /** Files changed by commits that no remote-tracking branch has: what a worker could not fetch. */
    public static Set<String> unpushed(Path root) {
        Result r = run(root, List.of("log", "HEAD", "--not", "--remotes", "--name-only", "--format="));
        Set<String> files = new LinkedHashSet<>();
        if (!r.ok()) return files;
        r.out().lines().map(String::strip).filter(l -> !l.isEmpty()).forEach(files::add);
        return files;
    }

    /** True when some remote-tracking branch contains HEAD. */
    public static boolean headPushed(Path root) {
        Result r = run(root, List.of("rev-list", "-n", "1", "HEAD", "--not", "--remotes"));
        return r.ok() && r.out().isBlank();
    }

    /** {@code https://TOKEN@host/...} with the credential replaced, for messages and logs. */
    public static String redact(String url) {
        return url == null ? null : url.replaceAll("(?<=://)[^/@\\s]+@", "***@");
    }
}
