package dev.ferry.cli.worker;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.client.ApiProblem;
import dev.ferry.core.common.Json;
import dev.ferry.core.common.Utf8;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;

/**
 * Ships one run's log lines to the API in batches (every ~500 ms or 500 lines), on its own thread.
 *
 * <p>Memory stays bounded whatever the flow prints: lines beyond {@link #RUN_CAP_BYTES} are not
 * kept at all, and lines waiting to be shipped never exceed a small buffer. While that buffer is
 * full, the pipes wait briefly for the API to catch up and then lines are dropped (and counted)
 * rather than stalling the flow, because a slow or unreachable API must not stop a run.
 */
final class LogShipper {
    static final long RUN_CAP_BYTES = 20L * 1024 * 1024;
    static final String CAPPED = "[ferry] log output exceeded 20 MiB; further output is discarded";
    static final int BATCH_LINES = 500;
    static final Duration INTERVAL = Duration.ofMillis(500);
    // The API refuses bodies over 1 MiB; JSON escaping and framing need the rest.
    static final int BATCH_BYTES = 768 * 1024;
    static final long PENDING_CAP_BYTES = 2L * 1024 * 1024;
    static final Duration MAX_STALL = Duration.ofSeconds(2);

    /** Sends one {@code {"logs": [...]}} body. May throw {@link ApiProblem} or {@link CancellationException}. */
    interface Sink {
        void send(byte[] body);
    }

    private final Sink sink;
    private final Consumer<String> warnings;
    private final String notes;
    private final long capBytes;
    private final long pendingCapBytes;
    private final Thread thread;

    private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
    private long pendingBytes;
    private long storedBytes;
    private long dropped;
    private boolean dropping;
    private boolean capped;
    private boolean closed;
    private boolean warned;

    LogShipper(String threadName, Sink sink, Consumer<String> warnings) {
        this(threadName, sink, warnings, "worker");
    }

    /** @param notes the stream the shipper's own notes (and {@link #note}) go to */
    LogShipper(String threadName, Sink sink, Consumer<String> warnings, String notes) {
        this(threadName, sink, warnings, notes, RUN_CAP_BYTES, PENDING_CAP_BYTES);
    }

    LogShipper(String threadName, Sink sink, Consumer<String> warnings, long capBytes, long pendingCapBytes) {
        this(threadName, sink, warnings, "worker", capBytes, pendingCapBytes);
    }

    LogShipper(String threadName, Sink sink, Consumer<String> warnings, String notes, long capBytes, long pendingCapBytes) {
        this.sink = sink;
        this.warnings = warnings;
        this.notes = notes;
        this.capBytes = capBytes;
        this.pendingCapBytes = pendingCapBytes;
        this.thread = new Thread(this::shipUntilClosed, threadName);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Queues one line of Ferry's own about the run, on the notes stream. */
    boolean note(String message) {
        return add(notes, message);
    }

    /** Queues one line; false when it was discarded (over the run's cap, or the API is not keeping up). */
    synchronized boolean add(String stream, String message) {
        if (closed || capped) return false;
        long size = Utf8.length(message);
        if (storedBytes + size > capBytes) {
            capped = true;
            enqueue(entry(notes, CAPPED));
            notifyAll();
            return false;
        }
        byte[] entry = entry(stream, message);
        long deadline = System.nanoTime() + MAX_STALL.toNanos();
        while (pendingBytes + entry.length > pendingCapBytes && !pending.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (dropping || left <= 0 || closed) {
                dropping = true;
                dropped++;
                return false;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                dropped++;
                return false;
            }
        }
        dropping = false;
        boolean wasEmpty = pending.isEmpty();
        if (dropped > 0) {
            enqueue(entry(notes, "[ferry] " + dropped + " log lines were dropped while the Ferry API was not keeping up"));
            dropped = 0;
        }
        storedBytes += size;
        enqueue(entry);
        // Wake the shipper for the first line (it starts a batch's clock) and for a full batch.
        if (wasEmpty || pending.size() >= BATCH_LINES) notifyAll();
        return true;
    }

    /** Ships everything queued, then stops. Blocks while the API is unreachable (the client retries). */
    void close() throws InterruptedException {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        if (thread.isAlive() || thread.getState() != Thread.State.NEW) thread.join();
    }

    /** Stops at once, dropping what was not shipped yet: the worker is going down. */
    void abort() {
        synchronized (this) {
            closed = true;
            pending.clear();
            pendingBytes = 0;
            notifyAll();
        }
        thread.interrupt();
    }

    synchronized long storedBytes() {
        return storedBytes;
    }

    private void shipUntilClosed() {
        while (true) {
            List<byte[]> batch;
            synchronized (this) {
                try {
                    while (pending.isEmpty() && !closed) wait();
                    if (pending.isEmpty()) return;
                    // Give the batch up to INTERVAL to fill, unless it is full or this is the last flush.
                    long until = System.nanoTime() + INTERVAL.toNanos();
                    long left;
                    while (!closed && pending.size() < BATCH_LINES && pendingBytes < BATCH_BYTES
                            && (left = until - System.nanoTime()) > 0) {
                        wait(Math.max(1, left / 1_000_000));
                    }
                } catch (InterruptedException e) {
                    return;
                }
                batch = take();
                notifyAll();
            }
            try {
                ship(batch);
            } catch (CancellationException e) {
                return;
            }
        }
    }

    private List<byte[]> take() {
        List<byte[]> batch = new ArrayList<>();
        int bytes = 0;
        while (!pending.isEmpty() && batch.size() < BATCH_LINES) {
            byte[] next = pending.peekFirst();
            if (!batch.isEmpty() && bytes + next.length + 1 > BATCH_BYTES) break;
            batch.add(pending.pollFirst());
            bytes += next.length + 1;
            pendingBytes -= next.length;
        }
        return batch;
    }

    private void ship(List<byte[]> batch) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("{\"logs\":[".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < batch.size(); i++) {
            if (i > 0) body.write(',');
            body.writeBytes(batch.get(i));
        }
        body.writeBytes("]}".getBytes(StandardCharsets.UTF_8));
        try {
            sink.send(body.toByteArray());
        } catch (ApiProblem problem) {
            // 4xx: resending the same lines would be refused the same way. Say so once, keep the rest flowing.
            if (!warned) {
                warned = true;
                warnings.accept("log lines were refused by the API and dropped: " + problem.describe());
            }
        }
    }

    private void enqueue(byte[] entry) {
        pending.addLast(entry);
        pendingBytes += entry.length;
    }

    private static byte[] entry(String stream, String message) {
        ObjectNode line = Json.MAPPER.createObjectNode()
                .put("timestamp", Instant.now().toString())
                .put("stream", stream)
                .put("message", message);
        return Json.bytes(line);
    }
}
