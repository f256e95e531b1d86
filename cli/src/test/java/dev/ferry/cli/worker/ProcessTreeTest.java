package dev.ferry.cli.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProcessTreeTest {

    @Test
    void kill_stopsTheProcessAndEverythingItStarted() throws Exception {
        Process root = new ProcessBuilder("sh", "-c", "sleep 300 & sleep 300 & (sleep 300; true) & wait").start();
        await().atMost(5, TimeUnit.SECONDS).until(() -> root.descendants().count() >= 3);
        List<ProcessHandle> tree = root.descendants().toList();

        ProcessTree.kill(root.toHandle(), Duration.ofSeconds(5));

        // kill returns once the root has exited; the JVM's reaper may take a moment more to notice.
        assertThat(root.waitFor(5, TimeUnit.SECONDS)).isTrue();
        await().atMost(5, TimeUnit.SECONDS).untilAsserted(() ->
                assertThat(tree).noneMatch(ProcessTree::runs));
    }

    @Test
    void kill_forcesAProcessThatIgnoresSigterm_afterTheGracePeriod() throws Exception {
        Process root = new ProcessBuilder("sh", "-c", "trap '' TERM; echo ready; while true; do sleep 1; done").start();
        assertThat(new String(root.getInputStream().readNBytes(6))).isEqualTo("ready\n");

        long started = System.nanoTime();
        ProcessTree.kill(root.toHandle(), Duration.ofMillis(500));
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertThat(root.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(root.exitValue()).isEqualTo(128 + 9);
        assertThat(tookMillis).isBetween(400L, 5_000L);
    }
}
