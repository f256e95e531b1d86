package dev.ferry.embedded;

import static dev.ferry.embedded.Columns.document;
import static dev.ferry.embedded.Columns.nanos;
import static dev.ferry.embedded.Database.query;
import static dev.ferry.embedded.Database.update;

import dev.ferry.core.common.Documents;
import dev.ferry.core.events.Event;
import dev.ferry.core.events.EventFeed;
import dev.ferry.core.events.EventFilter;
import dev.ferry.core.events.EventPosition;
import dev.ferry.core.events.EventStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@link EventStore} in the embedded database: the id is unique, so a second insert of it is
 * ignored. The rows' sequence is also the {@link EventFeed} the in-process automation engine follows.
 */
public final class SqliteEvents implements EventStore, EventFeed {
    /** Rows read per query while scanning: a page that fills early parses no more than this. */
    private static final int CHUNK = 200;

    private final Database db;
    private final int scanBudget;

    public SqliteEvents(Database db) {
        this(db, SCAN_BUDGET);
    }

    SqliteEvents(Database db, int scanBudget) {
        this.db = Objects.requireNonNull(db, "db");
        this.scanBudget = scanBudget;
    }

    @Override
    public boolean append(Event event) {
        String doc = Documents.write(event);
        return db.write("storing event " + event.id(), c -> insert(c, event, doc));
    }

    /**
     * Stores {@code event} (its JSON {@code doc}) in the transaction {@code c} is in, unless its id
     * is stored: how {@link #append} stores one, and how a run's write stores its state's event.
     */
    static boolean insert(Connection c, Event event, String doc) throws SQLException {
        return update(c, "INSERT INTO events (id, occurred, doc) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING",
                event.id(), nanos(event.occurred()), doc) == 1;
    }

    @Override
    public Scan scan(EventFilter filter, EventPosition after, int limit) {
        Pages.checkLimit(limit);
        boolean asc = filter.ascending();
        EventPosition from = after != null ? after : new EventPosition(asc ? filter.since() : filter.until(), "");
        String sql = asc
                ? "SELECT doc FROM events WHERE occurred < ? AND (occurred, id) > (?, ?) ORDER BY occurred, id LIMIT ?"
                : "SELECT doc FROM events WHERE occurred >= ? AND (occurred, id) < (?, ?) ORDER BY occurred DESC, id DESC LIMIT ?";
        long bound = nanos(asc ? filter.until() : filter.since());
        List<Event> matched = new ArrayList<>();
        EventPosition last = null;
        int examined = 0;
        while (true) {
            int chunk = Math.min(CHUNK, scanBudget - examined);
            EventPosition at = last != null ? last : from;
            // one row more than the chunk says whether the range goes on past it
            List<Event> rows = db.read("reading events", c -> query(c, sql, rs -> document(rs.getString(1), Event.class),
                    bound, at.nanos(), at.id(), chunk + 1));
            for (Event event : rows.subList(0, Math.min(chunk, rows.size()))) {
                if (matched.size() == limit) return new Scan(matched, last, false);
                examined++;
                last = EventPosition.of(event);
                if (filter.matches(event)) matched.add(event);
            }
            if (rows.size() <= chunk) return new Scan(matched, last, true);
            if (examined == scanBudget || matched.size() == limit) return new Scan(matched, last, false);
        }
    }

    @Override
    public Batch after(String position, int limit) {
        Pages.checkLimit(limit);
        long from = position == null ? 0 : Long.parseLong(position);
        List<Fed> fed = db.read("following events", c -> query(c, "SELECT seq, doc FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
                rs -> new Fed(rs.getLong(1), document(rs.getString(2), Event.class)), from, limit));
        return new Batch(fed.stream().map(Fed::event).toList(), Long.toString(fed.isEmpty() ? from : fed.get(fed.size() - 1).seq()));
    }

    private record Fed(long seq, Event event) {}

    @Override
    public void purge(Instant before) {
        db.write("purging events before " + before, c -> update(c, "DELETE FROM events WHERE occurred < ?", nanos(before)));
    }
}
