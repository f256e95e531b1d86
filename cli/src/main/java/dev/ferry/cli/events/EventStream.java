package dev.ferry.cli.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.client.FerryApi;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Tails events oldest first: one long poll after another, each from the cursor the last one
 * answered, so no event is shown twice or skipped however long the gaps between them.
 */
final class EventStream {
    static final int WAIT_SECONDS = 10;
    static final int PAGE = 200;

    private final FerryApi first;
    private final FerryApi rest;
    private final Consumer<JsonNode> print;
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile boolean stopping;

    /**
     * {@code first} asks for the first page and should fail fast, so a wrong URL or a server that is
     * down is said at once; {@code rest} follows the stream and should wait outages out.
     */
    EventStream(FerryApi first, FerryApi rest, Consumer<JsonNode> print) {
        this.first = first;
        this.rest = rest;
        this.print = print;
    }

    /** Prints events as they come until {@code count} of them are printed (0: until stopped). */
    void follow(FerryApi.EventQuery query, long count) {
        try {
            FerryApi api = first;
            String next = null;
            long shown = 0;
            while (!stopping && (count == 0 || shown < count)) {
                int limit = count == 0 ? PAGE : (int) Math.min(PAGE, count - shown);
                JsonNode page;
                try {
                    page = api.eventsAfter(query, next, limit, WAIT_SECONDS);
                } catch (CancellationException e) {
                    if (stopping) return;
                    throw e;
                }
                api = rest;
                for (JsonNode event : page.path("items")) {
                    if (count != 0 && shown >= count) break;
                    print.accept(event);
                    shown++;
                }
                JsonNode cursor = page.path("next");
                // Without an until the server always answers a cursor; none means it has no more to give.
                if (!cursor.isTextual() || cursor.asText().isEmpty()) return;
                next = cursor.asText();
            }
        } finally {
            ended.countDown();
        }
    }

    /**
     * A shutdown hook for Ctrl-C: it ends the poll under way and waits for {@link #follow} to
     * return, so the stream stops between two lines and says nothing of the interruption.
     */
    Thread stopper(Thread streaming) {
        return new Thread(() -> {
            stopping = true;
            streaming.interrupt();
            try {
                ended.await(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "ferry-event-stream-stop");
    }
}
