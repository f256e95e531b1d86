package dev.ferry.aws.dynamodb;

import static dev.ferry.core.testing.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.aws.testing.Emulator;
import dev.ferry.core.events.EventPosition;
import dev.ferry.core.events.EventStore;
import dev.ferry.core.events.EventStoreContract;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The EventStore contract on DynamoDB in the emulator: a fresh account and table for every test. */
@ExtendWith(Emulator.class)
class DynamoDbEventsIT extends EventStoreContract {
    private static final Duration RETENTION = Duration.ofDays(7);

    private EmulatedTable table;

    @Override
    protected EventStore newEventStore(int scanBudget) {
        table = EmulatedTable.fresh();
        return new DynamoDbEvents(new Table(table.client(), table.name()), RETENTION, scanBudget);
    }

    @Override
    protected boolean expiresOnItsOwn() {
        return true;
    }

    @Test
    void theEventAndItsIdMarker_expireARetentionAfterTheEventOccurred() {
        EventStore store = newEventStore(EventStore.SCAN_BUDGET);
        store.append(event("e-1", T0, "acme.tick", "acme.clock"));

        long expected = T0.plus(RETENTION).getEpochSecond();
        Map<String, AttributeValue> item = new Table(table.client(), table.name()).get(Keys.key(
                Keys.eventsOfDay(T0.atZone(java.time.ZoneOffset.UTC).toLocalDate()),
                Keys.eventOrder(EventPosition.of(event("e-1", T0, "acme.tick", "acme.clock")).nanos(), "e-1"))).orElseThrow();
        Map<String, AttributeValue> marker = new Table(table.client(), table.name()).get(Keys.eventId("e-1")).orElseThrow();

        assertThat(Items.number(item, Items.TTL, -1)).isEqualTo(expected);
        assertThat(Items.number(marker, Items.TTL, -1)).isEqualTo(expected);
    }

    @Test
    void theAdapterSet_givesTheEventsTheRetentionItIsWiredWith() {
        table = EmulatedTable.fresh();
        Duration retention = Duration.ofDays(30);
        EventStore store = DynamoDbAdapters.ports(table.client(), table.name(), Duration.ofDays(1), retention,
                dev.ferry.core.common.Clock.SYSTEM, null, null).events();
        store.append(event("e-2", T0, "acme.tick", "acme.clock"));

        Map<String, AttributeValue> marker = new Table(table.client(), table.name()).get(Keys.eventId("e-2")).orElseThrow();

        assertThat(Items.number(marker, Items.TTL, -1)).isEqualTo(T0.plus(retention).getEpochSecond());
    }
}
