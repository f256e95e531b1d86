package dev.ferry.cli.flows;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bundled Python scripts, copied out of the jar so an interpreter can run them: the runner,
 * the signature reader, the {@code ferry} module under {@code lib/} and the stand-in {@code prefect}
 * package under {@code shim/}, which the runner puts on a run's path (their sources are the
 * repository's {@code python/} directory).
 *
 * <p>They land in {@code <ferry home>/runtime/<hash of their content>/}: a new Ferry version
 * gets a fresh directory instead of overwriting the scripts under a worker that is still
 * running the old ones, and a directory's files are verified against the jar on every call
 * so a deleted or edited copy heals itself.
 */
public final class PythonScripts {
    static final String RUNNER = "ferry_runner.py";
    static final String SIGNATURE = "ferry_signature.py";
    /**
     * The files of lib/ (the ferry module, python/src) and shim/ (the prefect stand-in, python/shim),
     * by path; a test checks this against the python/ sources.
     */
    static final List<String> LIB = List.of(
            "lib/ferry/__init__.py", "lib/ferry/_events.py", "lib/ferry/_flows.py", "lib/ferry/_logging.py",
            "lib/ferry/runtime.py", "shim/prefect/__init__.py", "shim/prefect/events.py", "shim/prefect/logging.py",
            "shim/prefect/runtime/__init__.py", "shim/prefect/runtime/deployment.py", "shim/prefect/runtime/flow_run.py");

    private static final String RESOURCE_DIR = "/dev/ferry/cli/flows/";
    private static final int HASH_CHARS = 16;

    private PythonScripts() {}

    /** The interpreter that runs flows and reads their signatures: {@code FERRY_PYTHON}, else {@code python3}. */
    public static String python() {
        String configured = System.getenv("FERRY_PYTHON");
        return configured == null || configured.isBlank() ? "python3" : configured.trim();
    }

    /** {@code ~/.ferry}, or {@code FERRY_HOME} when set. */
    public static Path ferryHome() {
        String configured = System.getenv("FERRY_HOME");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured.trim());
        }
        return Path.of(System.getProperty("user.home"), ".ferry");
    }

    public static Path runner() {
        return extractTo(ferryHome()).resolve(RUNNER);
    }

    public static Path signature() {
        return extractTo(ferryHome()).resolve(SIGNATURE);
    }

    /** Makes sure every bundled file exists, complete, under {@code home}; returns their directory. */
    static Path extractTo(Path home) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(RUNNER, resource(RUNNER));
        files.put(SIGNATURE, resource(SIGNATURE));
        for (String name : LIB) files.put(name, resource(name));
        Path dir = home.resolve("runtime").resolve(hash(files));
        try {
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                Path target = dir.resolve(file.getKey());
                Files.createDirectories(target.getParent());
                install(target.getParent(), target.getFileName().toString(), file.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack Ferry's Python scripts into " + dir
                    + " (set FERRY_HOME to a writable directory): " + e.getMessage(), e);
        }
        return dir;
    }

    private static void install(Path dir, String name, byte[] content) throws IOException {
        Path target = dir.resolve(name);
        if (hasContent(target, content)) {
            return;
        }
        // Written beside the target and renamed into place, so a worker or a second
        // `ferry` process starting at the same moment sees either no file or the whole one.
        Path temp = Files.createTempFile(dir, name + ".", ".tmp");
        try {
            Files.write(temp, content);
            makeReadableByAll(temp);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void makeReadableByAll(Path file) throws IOException {
        // Temp files start owner-only; a container image that unpacks the scripts as one
        // user and runs flows as another needs them readable by every user.
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    private static boolean hasContent(Path file, byte[] content) {
        try {
            return Files.isRegularFile(file) && Files.size(file) == content.length
                    && Arrays.equals(Files.readAllBytes(file), content);
        } catch (IOException e) {
            return false; // unreadable counts as missing; rewriting it is the fix
        }
    }

    static byte[] resource(String name) {
        try (InputStream in = PythonScripts.class.getResourceAsStream(RESOURCE_DIR + name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE_DIR + name
                        + " is missing from the Ferry jar; the build is broken");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE_DIR + name + " from the Ferry jar", e);
        }
    }

    private static String hash(Map<String, byte[]> files) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                digest.update(file.getKey().getBytes(StandardCharsets.UTF_8));
                digest.update("\0".getBytes(StandardCharsets.US_ASCII));
                digest.update(file.getValue());
                digest.update("\0".getBytes(StandardCharsets.US_ASCII));
            }
            return HexFormat.of().formatHex(digest.digest()).substring(0, HASH_CHARS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
