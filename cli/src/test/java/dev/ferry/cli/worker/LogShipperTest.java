package dev.ferry.cli.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.common.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LogShipperTest {
    private final List<JsonNode> bodies = new CopyOnWriteArrayList<>();
    private final List<String> warnings = new CopyOnWriteArrayList<>();

    private List<JsonNode> shippedLines() {
        List<JsonNode> lines = new ArrayList<>();
        for (JsonNode body : bodies) body.path("logs").forEach(lines::add);
        return lines;
    }

    @Test
    void linesAreShippedInOrder_inBatchesOfAtMost500_withStreamAndTimestamp() throws Exception {
        LogShipper shipper = new LogShipper("t", body -> bodies.add(Json.tree(new String(body, StandardCharsets.UTF_8))), warnings::add);
        shipper.start();
        for (int i = 0; i < 1_234; i++) shipper.add(i % 2 == 0 ? "stdout" : "stderr", "line " + i);
        shipper.close();

        List<JsonNode> lines = shippedLines();
        assertThat(lines).hasSize(1_234);
        assertThat(lines.get(7).path("message").asText()).isEqualTo("line 7");
        assertThat(lines.get(7).path("stream").asText()).isEqualTo("stderr");
        assertThat(lines.get(7).path("timestamp").asText()).endsWith("Z");
        assertThat(bodies).allSatisfy(b -> assertThat(b.path("logs").size()).isLessThanOrEqualTo(500));
    }

    @Test
    void aBatchStaysUnderTheApiBodyLimit_evenWithBigLines() throws Exception {
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        LogShipper shipper = new LogShipper("t", body -> sizes.add(body.length), warnings::add);
        shipper.start();
        String big = "y".repeat(60_000);
        for (int i = 0; i < 100; i++) shipper.add("stdout", big);
        shipper.close();

        assertThat(sizes).allSatisfy(size -> assertThat(size).isLessThan(1024 * 1024));
        assertThat(sizes.size()).isGreaterThan(1);
    }

    @Test
    void afterTheRunCap_oneNoticeIsShipped_andNothingElseIsKept() throws Exception {
        LogShipper shipper = new LogShipper("t", body -> bodies.add(Json.tree(new String(body, StandardCharsets.UTF_8))), warnings::add,
                10_000, LogShipper.PENDING_CAP_BYTES);
        shipper.start();
        int accepted = 0;
        for (int i = 0; i < 1_000; i++) {
            if (shipper.add("stdout", "z".repeat(99))) accepted++;
        }
        shipper.close();

        assertThat(accepted).isEqualTo(101);
        assertThat(shipper.storedBytes()).isLessThanOrEqualTo(10_000);
        List<JsonNode> lines = shippedLines();
        assertThat(lines).hasSize(102);
        assertThat(lines.get(101).path("message").asText()).isEqualTo(LogShipper.CAPPED);
        assertThat(lines.get(101).path("stream").asText()).isEqualTo("worker");
    }

    @Test
    void whileTheApiIsStuck_linesAreDroppedAfterAShortStall_notBuffered() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        LogShipper shipper = new LogShipper("t", body -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            bodies.add(Json.tree(new String(body, StandardCharsets.UTF_8)));
        }, warnings::add, LogShipper.RUN_CAP_BYTES, 50_000);
        shipper.start();

        long started = System.nanoTime();
        int dropped = 0;
        for (int i = 0; i < 5_000; i++) {
            if (!shipper.add("stdout", "w".repeat(100))) dropped++;
        }
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        release.countDown();
        await().atMost(10, TimeUnit.SECONDS).until(() -> shipper.add("stdout", "after the outage"));
        shipper.close();

        assertThat(dropped).isGreaterThan(4_000);
        assertThat(tookMillis).isLessThan(LogShipper.MAX_STALL.toMillis() * 3);
        List<String> messages = shippedLines().stream().map(l -> l.path("message").asText()).toList();
        assertThat(messages).anyMatch(m -> m.matches("\\[ferry] \\d+ log lines were dropped.*"));
        assertThat(messages.get(messages.size() - 1)).isEqualTo("after the outage");
    }

    @Test
    void refusedBatches_areReportedOnce_andShippingGoesOn() throws Exception {
        LogShipper shipper = new LogShipper("t", body -> {
            throw new dev.ferry.cli.client.ApiProblem(404, "flow run 'r' not found", null, null);
        }, warnings::add);
        shipper.start();
        for (int i = 0; i < 1_200; i++) shipper.add("stdout", "x");
        shipper.close();

        assertThat(warnings).containsExactly("log lines were refused by the API and dropped: flow run 'r' not found");
    }
}
