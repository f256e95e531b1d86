package dev.ferry.core.automations;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ferry.core.common.Documents;
import dev.ferry.core.triggers.TriggerStore;
import dev.ferry.core.triggers.TriggerStore.Change;
import dev.ferry.core.triggers.TriggerStore.Entry;
import dev.ferry.core.triggers.TriggerStore.Key;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Stops an automation that fires more often than {@code limit} times within any minute (an
 * automation that feeds itself through another one, a flood of events): the firing past the
 * limit is not made, and the automation is paused until someone resumes it.
 *
 * <p>The times of an automation's latest firings are kept in one entry of the trigger store,
 * replaced at the revision read in the same commit as each firing. Engines in several processes
 * (Lambda containers) therefore count the same firings, and of two engines that both think theirs
 * is the one past the limit, only one commit holds: the breaker trips, and says so, once.
 */
public final class CircuitBreaker {
    /**
     * One firing a second on average, sustained for a minute. An automation that reacts to flow
     * runs of a busy deployment stays well under it; one that feeds itself goes past it within
     * seconds, and is stopped before it has made more than a minute's worth of runs or calls.
     */
    public static final int DEFAULT_LIMIT = 60;
    public static final int MIN_LIMIT = 1;
    /** Each firing's time is kept: this bounds the entry to a few kilobytes. */
    public static final int MAX_LIMIT = 1000;
    static final Duration WINDOW = Duration.ofMinutes(1);
    /** An open breaker is kept until resumed; a closed one only while its firings can still count. */
    private static final Duration KEEP_CLOSED = WINDOW.plusMinutes(1);

    /**
     * What is stored: the epoch milliseconds of the firings within the last minute, and once
     * tripped, when and why.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record State(List<Long> firings, Instant brokenAt, String reason) {
        State {
            firings = List.copyOf(firings);
        }

        boolean open() {
            return brokenAt != null;
        }
    }

    /** What a firing about to be made meets. */
    sealed interface Decision {
        /** Under the limit: the firing is made, with {@code change} in its commit. */
        record Fire(Change change) implements Decision {}

        /** This firing is one too many: it is not made; {@code change} opens the breaker. */
        record Trip(Change change, State state) implements Decision {}

        /** The breaker is open already: no firing. */
        record Open(State state) implements Decision {}
    }

    private final TriggerStore store;
    private final int limit;

    CircuitBreaker(TriggerStore store, int limit) {
        if (limit < MIN_LIMIT || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("the circuit breaker's limit must be from " + MIN_LIMIT + " to " + MAX_LIMIT);
        }
        this.store = store;
        this.limit = limit;
    }

    static Key key(String automationId) {
        return new Key("breakers", automationId);
    }

    int limit() {
        return limit;
    }

    Optional<Entry> entry(String automationId) {
        return store.get(key(automationId));
    }

    static State state(Entry entry) {
        return Documents.readStored(entry.doc(), State.class);
    }

    /** Reads the automation's breaker and decides about one more firing at {@code now}. */
    Decision admit(String automationId, Instant now) {
        Optional<Entry> entry = entry(automationId);
        State state = entry.map(CircuitBreaker::state).orElse(null);
        if (state != null && state.open()) return new Decision.Open(state);
        long since = now.minus(WINDOW).toEpochMilli();
        List<Long> recent = new ArrayList<>();
        if (state != null) for (long at : state.firings()) if (at > since) recent.add(at);
        if (recent.size() >= limit) {
            State open = new State(recent, now, "fired " + limit + " times within a minute, and once more at " + now
                    + ": more than the " + limit + " a minute allowed (FERRY_AUTOMATION_MAX_FIRINGS_PER_MINUTE); the circuit "
                    + "breaker paused it. Find out why in its history, then resume it");
            // an open breaker is kept until the automation is resumed (or deleted)
            return new Decision.Trip(write(automationId, entry, open, null), open);
        }
        recent.add(now.toEpochMilli());
        return new Decision.Fire(write(automationId, entry, new State(recent, null, null), now.plus(KEEP_CLOSED)));
    }

    private static Change write(String automationId, Optional<Entry> entry, State state, Instant expires) {
        String doc = Documents.write(state);
        return entry.isPresent() ? Change.replace(entry.get(), doc, null, expires) : Change.create(key(automationId), doc, null, expires);
    }
}
