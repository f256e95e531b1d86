package dev.ferry.aws.dynamodb;

import static dev.ferry.aws.dynamodb.Items.n;
import static dev.ferry.aws.dynamodb.Items.s;

import dev.ferry.core.common.Documents;
import dev.ferry.core.events.Event;
import dev.ferry.core.events.EventFilter;
import dev.ferry.core.events.EventPosition;
import dev.ferry.core.events.EventStore;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * {@link EventStore} in Ferry's table. An event is an item in the partition of the UTC day it
 * occurred, sorted by time then id; beside it, a marker item under its id. Both go in one
 * transaction whose condition is that the marker is new, so an id is stored once wherever it
 * would sort. Both expire by {@code ttl} a retention after the event occurred (DynamoDB deletes
 * them within days after that; lists never reach that far back).
 */
public final class DynamoDbEvents implements EventStore {
    /** Items read per query while scanning: a page that fills early reads no more than this. */
    private static final int CHUNK = 200;
    /** How many items of a transaction {@link #writes} takes. */
    static final int WRITES = 2;

    private final Table table;
    private final Duration retention;
    private final int scanBudget;

    DynamoDbEvents(Table table, Duration retention, int scanBudget) {
        this.table = Objects.requireNonNull(table, "table");
        this.retention = Table.positive(retention, "eventRetention");
        this.scanBudget = scanBudget;
    }

    @Override
    public boolean append(Event event) {
        List<CancellationReason> refused = table.transact(writes(event));
        if (refused == null) return true;
        if (Table.failed(refused, 0)) return false;
        throw new IllegalStateException("storing event " + event.id() + " was refused: " + Table.codes(refused));
    }

    /**
     * The {@value #WRITES} items of a transaction that stores {@code event}: first its id's marker,
     * on condition that it is new (refused: the id is stored, and the transaction writes nothing),
     * then the event. {@link #append} sends them alone; a run's write sends them with the run.
     */
    List<TransactWriteItem> writes(Event event) {
        EventPosition at = EventPosition.of(event);
        long ttl = event.occurred().plus(retention).getEpochSecond();
        Map<String, AttributeValue> marker = new HashMap<>(Keys.eventId(event.id()));
        marker.put(Items.TTL, n(ttl));
        Map<String, AttributeValue> item = new HashMap<>(Keys.key(Keys.eventsOfDay(day(event.occurred())),
                Keys.eventOrder(at.nanos(), event.id())));
        item.put(Items.DOC, s(Documents.write(event)));
        item.put(Items.TTL, n(ttl));
        return List.of(table.put(marker, Expr.absent()), table.put(item, Expr.none()));
    }

    @Override
    public Scan scan(EventFilter filter, EventPosition after, int limit) {
        Table.checkLimit(limit);
        boolean asc = filter.ascending();
        EventPosition from = after != null ? after : new EventPosition(asc ? filter.since() : filter.until(), "");
        Instant end = asc ? filter.until() : filter.since();
        LocalDate day = day(from.occurred());
        LocalDate lastDay = day(asc ? end.minusNanos(1) : end);
        String key = Keys.eventOrder(from.nanos(), from.id());
        List<Event> matched = new ArrayList<>();
        EventPosition last = null;
        int examined = 0;
        while (asc ? !day.isAfter(lastDay) : !day.isBefore(lastDay)) {
            Map<String, AttributeValue> start = null;
            do {
                if (matched.size() == limit || examined == scanBudget) return new Scan(matched, last, false);
                QueryRequest.Builder request = QueryRequest.builder().tableName(table.name).consistentRead(true)
                        .keyConditionExpression("#pk = :pk AND #sk " + (asc ? ">" : "<") + " :from")
                        .expressionAttributeNames(Map.of("#pk", Keys.PK, "#sk", Keys.SK))
                        .expressionAttributeValues(Map.of(":pk", s(Keys.eventsOfDay(day)), ":from", s(key)))
                        .scanIndexForward(asc).limit(Math.min(CHUNK, scanBudget - examined));
                if (start != null) request.exclusiveStartKey(start);
                QueryResponse response = table.client.query(request.build());
                for (Map<String, AttributeValue> item : response.items()) {
                    Event event = Items.read(item, Event.class);
                    if (asc ? !event.occurred().isBefore(end) : event.occurred().isBefore(end)) {
                        return new Scan(matched, last, true);
                    }
                    if (matched.size() == limit) return new Scan(matched, last, false);
                    examined++;
                    last = EventPosition.of(event);
                    if (filter.matches(event)) matched.add(event);
                }
                start = Table.next(response);
            } while (start != null);
            day = asc ? day.plusDays(1) : day.minusDays(1);
        }
        return new Scan(matched, last, true);
    }

    /**
     * The event an item of the table holds, as a stream record shows it ({@code pk} and {@code doc}
     * of its new image); null for an item that is not an event.
     */
    public static Event stored(String pk, String doc) {
        if (pk == null || doc == null || !pk.startsWith(Keys.EVENTS_PREFIX)) return null;
        return Documents.readStored(doc, Event.class);
    }

    /** DynamoDB's TTL deletes expired events. */
    @Override
    public void purge(Instant before) {}

    private static LocalDate day(Instant at) {
        return LocalDate.ofInstant(at, ZoneOffset.UTC);
    }
}
