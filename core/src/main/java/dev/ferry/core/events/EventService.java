package dev.ferry.core.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Ids;
import dev.ferry.core.common.Instants;
import dev.ferry.core.common.Json;
import dev.ferry.core.common.Page;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Takes events in (clients' batches and Ferry's own), checks them against the limits below and
 * lists them. Limits are Prefect's where DynamoDB allows them: an event is one item there, so
 * its JSON is held to {@value #MAX_EVENT_BYTES} bytes where Prefect allows 1.5 MB.
 */
public final class EventService implements EventSink {
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);
    public static final int MAX_BATCH = 100;
    public static final int MAX_NAME_LENGTH = 1024;
    public static final int MAX_ID_LENGTH = 256;
    public static final int MAX_LABELS = 500;
    public static final int MAX_RELATED = 500;
    public static final int MAX_EVENT_BYTES = 256 * 1024;
    /** How far ahead of the server's clock an event may say it occurred (clients' clocks drift). */
    public static final Duration MAX_AHEAD = Duration.ofHours(1);
    public static final int MAX_WAIT_SECONDS = 20;
    /** Names Ferry emits itself; a client posting one could pose as Ferry to an automation. */
    public static final String RESERVED_PREFIX = "ferry.";

    private static final String CURSOR_TAG = "events";

    private final EventStore store;
    private final Clock clock;
    private final Ids ids;
    private final Duration retention;
    private final Object appended = new Object();
    private long stored; // appends through this service, guarded by appended

    public EventService(EventStore store, Clock clock, Ids ids, Duration retention) {
        this.store = store;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ids = Objects.requireNonNull(ids, "ids");
        if (retention.isNegative() || retention.isZero()) throw new IllegalArgumentException("event retention must be positive");
        this.retention = retention;
    }

    /** What {@link #emit} did: the ids it stored, and those it had stored before (sent again). */
    public record Emitted(List<String> accepted, List<String> duplicates) {}

    /** Checks every event of the batch first, so a bad one stores none of them; then stores each once. */
    public Emitted emit(List<NewEvent> batch) {
        return emit(batch, null);
    }

    /** As {@link #emit(List)}, for {@code poster} (see {@link Poster}); null for a key holder. */
    public Emitted emit(List<NewEvent> batch, Poster poster) {
        if (batch == null || batch.isEmpty()) throw BadInput.invalid(null, "send a JSON array of 1 to " + MAX_BATCH + " events");
        if (batch.size() > MAX_BATCH) {
            throw BadInput.invalid(null, "a batch holds at most " + MAX_BATCH + " events (got " + batch.size() + ")");
        }
        Instant now = clock.now();
        List<Event> events = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            Event event = checked("[" + i + "]", batch.get(i), now, poster);
            events.add(poster == null ? event : postedBy(poster, event));
        }
        List<String> accepted = new ArrayList<>();
        List<String> duplicates = new ArrayList<>();
        for (Event event : events) (store.append(event) ? accepted : duplicates).add(event.id());
        if (!accepted.isEmpty()) wake();
        return new Emitted(accepted, duplicates);
    }

    @Override
    public void publish(Event event) {
        if (store.append(event.receivedAt(clock.now()))) wake();
    }

    @Override
    public void written(Event event) {
        wake();
    }

    /**
     * A page of events. Oldest-first lists without an end ({@code tail}) always give a
     * {@code next}: following it tails the events as they come, and with {@code waitSeconds} and
     * nothing new yet, the answer waits (up to the caller's time left) for events to arrive.
     */
    public Page<Event> list(EventFilter filter, boolean tail, int limit, String cursor, int waitSeconds, Duration timeLeft)
            throws InterruptedException {
        if (waitSeconds < 0 || waitSeconds > MAX_WAIT_SECONDS) {
            throw BadInput.invalid("wait", "'wait' must be between 0 and " + MAX_WAIT_SECONDS + " seconds (got " + waitSeconds + ")");
        }
        EventPosition after = cursor == null ? null : decode(cursor);
        long waitNanos = Duration.ofSeconds(waitSeconds).toNanos();
        if (timeLeft != null) waitNanos = Math.min(waitNanos, timeLeft.minusSeconds(2).toNanos());
        long deadline = System.nanoTime() + waitNanos;
        while (true) {
            EventStore.Scan scan = store.scan(filter, after, limit);
            long left = deadline - System.nanoTime();
            if (!tail || !scan.matched().isEmpty() || !scan.exhausted() || left <= 0) return page(scan, tail, after);
            if (scan.last() != null) after = scan.last();
            // Appends through this server wake the wait at once; other writers (another Lambda, another
            // server on the same table) are seen at the next look, a second later at most.
            synchronized (appended) {
                appended.wait(Math.max(1, Math.min(Duration.ofNanos(left).toMillis(), 1_000)));
            }
        }
    }

    /**
     * The range a list covers: what it names, within what can be kept (the retention before now
     * to an hour after it): a store that walks its range day by day never walks years of nothing.
     */
    public EventFilter defaults(Instant since, Instant until) {
        Instant now = clock.now();
        Instant earliest = now.minus(retention).minus(Duration.ofDays(1));
        Instant latest = now.plus(MAX_AHEAD).plus(Duration.ofMinutes(1));
        Instant from = since == null || since.isBefore(earliest) ? earliest : since.isAfter(latest) ? latest : since;
        Instant to = until == null || until.isAfter(latest) ? latest : until.isBefore(earliest) ? earliest : until;
        return EventFilter.between(from, to.isBefore(from) ? from : to);
    }

    /** Drops the events past their retention (what the embedded janitor calls; DynamoDB expires them itself). */
    public void purge() {
        store.purge(clock.now().minus(retention));
    }

    public Duration retention() {
        return retention;
    }

    private Page<Event> page(EventStore.Scan scan, boolean tail, EventPosition after) {
        EventPosition resume = scan.last() != null ? scan.last() : after;
        String next = scan.exhausted() && !(tail && resume != null) ? null : encode(resume);
        return new Page<>(scan.matched(), next);
    }

    private void wake() {
        synchronized (appended) {
            stored++;
            appended.notifyAll();
        }
    }

    /** How many events this service stored so far; with {@link #awaitStored}, how a follower sleeps until there are more. */
    public long stored() {
        synchronized (appended) {
            return stored;
        }
    }

    /** Waits until this service stores an event after the {@code seen}-th (or {@code max} passes). */
    public void awaitStored(long seen, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        synchronized (appended) {
            while (stored == seen) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return;
                appended.wait(Math.max(1, Duration.ofNanos(left).toMillis()));
            }
        }
    }

    private Event checked(String at, NewEvent e, Instant now, Poster poster) {
        if (e == null) throw BadInput.invalid(at, "'" + at + "' must be an event object");
        String id = e.id() == null ? ids.next() : text(at + ".id", e.id(), MAX_ID_LENGTH);
        String name = text(at + ".event", e.event(), MAX_NAME_LENGTH);
        if (name.startsWith(RESERVED_PREFIX)) {
            throw BadInput.invalid(at + ".event", "event names starting with '" + RESERVED_PREFIX + "' are Ferry's own; "
                    + "name yours after your system, like 'acme.table.refreshed'");
        }
        Instant occurred = e.occurred() == null ? now : Instants.check(at + ".occurred", e.occurred());
        if (occurred.isBefore(now.minus(retention)) || occurred.isAfter(now.plus(MAX_AHEAD))) {
            throw BadInput.invalid(at + ".occurred", "'" + at + ".occurred' must lie within the event retention ("
                    + retention.toDays() + " days) before now and at most " + MAX_AHEAD.toMinutes() + " minutes after it");
        }
        Resource resource;
        if (e.resource() == null) {
            if (poster == null) throw BadInput.invalid(at + ".resource", "'" + at + ".resource' is required, like "
                    + "{\"" + Resource.ID + "\": \"acme.table.orders\"}");
            resource = poster.self();
        } else {
            resource = resource(at + ".resource", e.resource(), false);
            if (poster != null && !resource.id().equals(poster.self().id())) notFerrys(at + ".resource", resource, poster);
        }
        List<JsonNode> relatedIn = e.related() == null ? List.of() : e.related();
        if (relatedIn.size() > MAX_RELATED) {
            throw BadInput.invalid(at + ".related", "an event has at most " + MAX_RELATED + " related resources");
        }
        List<Resource> related = new ArrayList<>(relatedIn.size());
        for (int i = 0; i < relatedIn.size(); i++) {
            Resource r = resource(at + ".related[" + i + "]", relatedIn.get(i), true);
            if (poster != null) notFerrys(at + ".related[" + i + "]", r, poster);
            related.add(r);
        }
        String follows = e.follows() == null ? null : text(at + ".follows", e.follows(), MAX_ID_LENGTH);
        Event event = new Event(id, occurred, name, resource, related, e.payload(), follows, now);
        int bytes = Json.bytes(event).length;
        if (bytes > MAX_EVENT_BYTES) {
            throw BadInput.invalid(at, "'" + at + "' is " + bytes + " bytes as JSON; an event holds at most " + MAX_EVENT_BYTES);
        }
        return event;
    }

    /** A poster speaks for itself only: the resources under Ferry's name are Ferry's to relate. */
    private static void notFerrys(String at, Resource resource, Poster poster) {
        if (resource.id().startsWith(RESERVED_PREFIX)) {
            throw BadInput.invalid(at + "." + Resource.ID, "'" + at + "." + Resource.ID + "' names a resource of Ferry's; an event "
                    + "posted for " + poster.self().id() + " may name it alone (or leave 'resource' out), and Ferry adds its "
                    + "related resources itself");
        }
    }

    private Event postedBy(Poster poster, Event event) {
        List<Resource> related = new ArrayList<>(event.related());
        if (!event.resource().id().equals(poster.self().id())) {
            Map<String, String> self = new LinkedHashMap<>(poster.self().labels());
            self.put(Resource.ROLE, poster.role());
            related.add(new Resource(self));
        }
        related.addAll(poster.related());
        String id = UUID.nameUUIDFromBytes((poster.scope() + "/" + event.id()).getBytes(StandardCharsets.UTF_8)).toString();
        Event posted = new Event(id, event.occurred(), event.event(), event.resource(), related, event.payload(), event.follows(),
                event.received());
        int bytes = Json.bytes(posted).length;
        if (bytes > MAX_EVENT_BYTES) {
            throw BadInput.invalid(null, "an event is " + bytes + " bytes as JSON with its related resources; an event holds at most "
                    + MAX_EVENT_BYTES);
        }
        return posted;
    }

    private static Resource resource(String at, JsonNode node, boolean related) {
        if (node == null || !node.isObject()) throw BadInput.invalid(at, "'" + at + "' must be an object of string labels");
        if (node.size() > MAX_LABELS) throw BadInput.invalid(at, "'" + at + "' has more than " + MAX_LABELS + " labels");
        Map<String, String> labels = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> label = it.next();
            String field = at + "." + label.getKey();
            if (!label.getValue().isTextual()) throw BadInput.invalid(field, "label '" + field + "' must be a string");
            text(field, label.getKey(), MAX_NAME_LENGTH);
            labels.put(label.getKey(), text(field, label.getValue().asText(), MAX_NAME_LENGTH));
        }
        if (!labels.containsKey(Resource.ID)) {
            throw BadInput.invalid(at, "'" + at + "' needs a '" + Resource.ID + "' label");
        }
        if (related && !labels.containsKey(Resource.ROLE)) {
            throw BadInput.invalid(at, "'" + at + "' needs a '" + Resource.ROLE + "' label (deployment, flow, tag, ...)");
        }
        return new Resource(labels);
    }

    private static String text(String field, String value, int max) {
        if (value == null || value.isBlank()) throw BadInput.invalid(field, "'" + field + "' is required");
        if (value.length() > max) throw BadInput.invalid(field, "'" + field + "' is longer than " + max + " characters");
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw BadInput.invalid(field, "'" + field + "' must not hold control characters");
        }
        return value;
    }

    private static String encode(EventPosition at) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.bytes(List.of(CURSOR_TAG, at.nanos(), at.id())));
    }

    private static EventPosition decode(String cursor) {
        try {
            JsonNode node = Json.MAPPER.readTree(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
            if (node != null && node.isArray() && node.size() == 3 && CURSOR_TAG.equals(node.get(0).asText())
                    && node.get(1).isIntegralNumber() && node.get(1).canConvertToLong() && node.get(2).isTextual()) {
                return EventPosition.ofNanos(node.get(1).asLong(), node.get(2).asText());
            }
        } catch (IllegalArgumentException | JsonProcessingException e) {
            // fall through to the caller-facing error
        }
        throw BadInput.invalid("next", "'next' is not a cursor of the event list; pass the 'next' value of the previous "
                + "page, or leave it out for the first page");
    }
}
