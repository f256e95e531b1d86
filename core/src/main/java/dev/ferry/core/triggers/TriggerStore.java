package dev.ferry.core.triggers;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where the event-driven triggers keep their state (automations, their counts, marks and firings;
 * webhooks and their deliveries): entries (a JSON document each) in
 * groups, ordered by item within a group. Every write is a {@link #commit} of changes that all
 * apply or none do, each on a condition the store checks (new; or at the revision read), so
 * two engines evaluating the same event, or the same window, can never both count it or both
 * fire, and two requests with one delivery id can never both be taken. The rules (what a bucket
 * is, when a trigger fires) live in core; a store only keeps entries.
 */
public interface TriggerStore {

    /** Most changes one commit may hold (DynamoDB's transaction limit, with room to spare). */
    int MAX_CHANGES = 25;

    Optional<Entry> get(Key key);

    /** Applies every change or none of them; false when a condition did not hold. */
    boolean commit(List<Change> changes);

    /** Entries of {@code group} in item order (reversed when {@code descending}), after {@code after} (exclusive; null: from the start). */
    List<Entry> scan(String group, String after, boolean descending, int limit);

    /** Entries whose {@code due} is at or before {@code by}, earliest first. */
    List<Entry> due(Instant by, int limit);

    /** Drops entries whose {@code expires} passed; where the backend expires them itself, nothing. */
    void purge(Instant now);

    record Key(String group, String item) {}

    /** @param revision 1 when created, one more with every replace */
    record Entry(Key key, long revision, String doc, Instant due) {}

    /**
     * @param expectedRevision for REPLACE and DELETE: the revision read; ignored for CREATE
     * @param due              when the janitor should look at it again (a window's end, a firing's
     *                         lease), or null
     * @param expires          when the store may forget it, or null for never
     */
    record Change(Kind kind, Key key, long expectedRevision, String doc, Instant due, Instant expires) {
        public enum Kind {
            /** Only if no entry has the key. */
            CREATE,
            /** Only if the entry is at {@code expectedRevision}; stores revision + 1. */
            REPLACE,
            /** Only if the entry is at {@code expectedRevision}. */
            DELETE,
            /** Whatever is there (a history slot that is overwritten by design); stores revision 1. */
            PUT
        }

        public static Change create(Key key, String doc, Instant due, Instant expires) {
            return new Change(Kind.CREATE, key, 0, doc, due, expires);
        }

        public static Change replace(Entry seen, String doc, Instant due, Instant expires) {
            return new Change(Kind.REPLACE, seen.key(), seen.revision(), doc, due, expires);
        }

        public static Change put(Key key, String doc, Instant expires) {
            return new Change(Kind.PUT, key, 0, doc, null, expires);
        }

        public static Change delete(Entry seen) {
            return new Change(Kind.DELETE, seen.key(), seen.revision(), null, null, null);
        }
    }
}
