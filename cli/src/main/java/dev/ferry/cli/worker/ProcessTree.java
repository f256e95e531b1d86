package dev.ferry.cli.worker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Stops a flow process and everything it started. A flow that spawned workers of its own must not
 * leave them running (or holding its output pipes open) after a cancel or timeout.
 */
final class ProcessTree {
    private static final Duration AFTER_KILL = Duration.ofSeconds(2);
    private static final Duration POLL = Duration.ofMillis(50);
    private static final int DESCENDANT_PASSES = 3;

    private ProcessTree() {}

    /**
     * SIGTERM to the root and all its descendants, then SIGKILL to whatever is still alive after
     * {@code grace}. Returns when all of them are gone or the kill has had a moment to land.
     */
    static void kill(ProcessHandle root, Duration grace) throws InterruptedException {
        Set<ProcessHandle> tree = new LinkedHashSet<>();
        // Descendants first, while the root still lives: once a parent dies its children are
        // re-parented to init and can no longer be found from the root. Listing again catches a
        // child that was being forked while the previous signals were on their way.
        for (int pass = 0; pass < DESCENDANT_PASSES; pass++) {
            boolean found = false;
            for (ProcessHandle child : root.descendants().toList()) {
                if (tree.add(child)) {
                    child.destroy();
                    found = true;
                }
            }
            if (!found) break;
        }
        tree.add(root);
        root.destroy();
        if (awaitExit(tree, grace)) return;
        List<ProcessHandle> alive = new ArrayList<>();
        for (ProcessHandle h : tree) {
            if (runs(h)) {
                alive.add(h);
                h.descendants().forEach(alive::add);
            }
        }
        alive.forEach(ProcessHandle::destroyForcibly);
        awaitExit(alive, AFTER_KILL);
    }

    /**
     * Polls rather than waiting on {@code onExit()}: a killed grandchild whose parent is gone stays a
     * zombie until init reaps it, and in a container PID 1 may never do that.
     */
    private static boolean awaitExit(Iterable<ProcessHandle> handles, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (anyRunning(handles)) {
            if (System.nanoTime() >= deadline) return false;
            Thread.sleep(POLL.toMillis());
        }
        return true;
    }

    private static boolean anyRunning(Iterable<ProcessHandle> handles) {
        for (ProcessHandle h : handles) {
            if (runs(h)) return true;
        }
        return false;
    }

    /** Alive and not a zombie (a zombie has exited; it only waits for its parent to notice). */
    static boolean runs(ProcessHandle h) {
        if (!h.isAlive()) return false;
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(h.pid()), "stat"));
            int afterName = stat.lastIndexOf(')');
            return afterName < 0 || afterName + 2 >= stat.length() || stat.charAt(afterName + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            // Not Linux, or the process vanished between the two checks.
            return h.isAlive();
        }
    }
}
