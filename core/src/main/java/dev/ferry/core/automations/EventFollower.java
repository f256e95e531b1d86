package dev.ferry.core.automations;

import dev.ferry.core.common.Json;
import dev.ferry.core.events.EventFeed;
import dev.ferry.core.events.EventService;
import dev.ferry.core.triggers.TriggerStore;
import dev.ferry.core.triggers.TriggerStore.Change;
import dev.ferry.core.triggers.TriggerStore.Entry;
import dev.ferry.core.triggers.TriggerStore.Key;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Feeds the stored events to the engine in the order they were stored, where the engine runs
 * in-process (embedded). Where it got to is kept in the automation store after each batch: a
 * restart goes on from there, and the batch a crash cut short is evaluated again (harmless: an
 * event counts once). One follower per store.
 */
public final class EventFollower {
    static final int BATCH = 100;
    private static final Key POSITION = new Key("engine", "feed");
    private static final Logger LOG = Logger.getLogger(EventFollower.class.getName());

    private final EventFeed feed;
    private final AutomationEngine engine;
    private final TriggerStore store;

    EventFollower(EventFeed feed, AutomationEngine engine, TriggerStore store) {
        this.feed = feed;
        this.engine = engine;
        this.store = store;
    }

    /**
     * Follows the feed until interrupted: evaluates what is there, then sleeps until {@code events}
     * stores another event (at once) or a second passes (events another writer stored).
     */
    public void follow(EventService events) {
        while (!Thread.currentThread().isInterrupted()) {
            long seen = events.stored();
            try {
                drain();
                events.awaitStored(seen, Duration.ofSeconds(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // the batch is evaluated again on the next pass (an event counts once however often it is)
                LOG.log(Level.WARNING, "evaluating events for automations failed; trying again", e);
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException stop) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** Evaluates every event stored since the last call; how many there were. */
    public synchronized int drain() throws InterruptedException {
        int evaluated = 0;
        while (true) {
            Optional<Entry> at = store.get(POSITION);
            String position = at.map(e -> Json.tree(e.doc()).path("position").asText(null)).orElse(null);
            EventFeed.Batch batch = feed.after(position, BATCH);
            if (!batch.events().isEmpty()) engine.evaluate(batch.events());
            evaluated += batch.events().size();
            // Kept even when the batch held no event: a feed that also carries other changes (a table's stream)
            // must not be read again from the same place every time.
            if (!java.util.Objects.equals(batch.next(), position)) {
                String doc = Json.MAPPER.createObjectNode().put("position", batch.next()).toString();
                store.commit(List.of(at.isPresent() ? Change.replace(at.get(), doc, null, null) : Change.create(POSITION, doc, null, null)));
            }
            if (batch.events().isEmpty()) return evaluated;
        }
    }
}
