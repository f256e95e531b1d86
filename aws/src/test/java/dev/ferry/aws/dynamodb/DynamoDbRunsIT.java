package dev.ferry.aws.dynamodb;

import static dev.ferry.core.testing.Fixtures.T0;
import static dev.ferry.core.testing.Fixtures.claim;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.aws.testing.Emulator;
import dev.ferry.aws.testing.ThreadRacesOnMoto;
import dev.ferry.core.deployments.DeploymentStore;
import dev.ferry.core.events.Event;
import dev.ferry.core.events.EventService;
import dev.ferry.core.events.EventStore;
import dev.ferry.core.runs.FlowRun;
import dev.ferry.core.runs.RunEvents;
import dev.ferry.core.runs.RunFilter;
import dev.ferry.core.runs.RunStore;
import dev.ferry.core.runs.RunStoreContract;
import dev.ferry.core.runs.RunWrite;
import dev.ferry.core.runs.Slot;
import dev.ferry.core.runs.SlotChange;
import dev.ferry.core.runs.StateType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * The RunStore contract on DynamoDB in the emulator: a fresh account and table for every test.
 *
 * <p>moto is not atomic under concurrent requests (parallel conditional writes of one item lose
 * updates or fail with HTTP 500), so the contract's thread races prove nothing there and
 * fail at random. On moto they are switched off ({@link ThreadRacesOnMoto}) and replaced by the
 * same races forced: each writer is overtaken by the next one after it built its conditional
 * write and before it sent it, the worst moment. On LocalStack the thread races run as written.
 */
@ExtendWith({Emulator.class, ThreadRacesOnMoto.class})
class DynamoDbRunsIT extends RunStoreContract {
    private EmulatedTable table;

    @Override
    protected RunStore newRuns() {
        table = EmulatedTable.fresh();
        return new DynamoDbRuns(table.client(), table.name());
    }

    @Override
    protected DeploymentStore newDeployments() {
        return new DynamoDbDeployments(table.client(), table.name());
    }

    @Override
    protected EventStore events() {
        return new DynamoDbEvents(new Table(table.client(), table.name()), EventService.DEFAULT_RETENTION, EventStore.SCAN_BUDGET);
    }

    @Test
    void writeRun_letsExactlyOneOfEightClaimersIn_whenThePoolLimitIsOne_forcedInterleaving() {
        Setup s = setup();
        List<FlowRun> runs = new ArrayList<>();
        for (int i = 0; i < 8; i++) runs.add(store.createRun(run(s, T0.plusMillis(i), null)));
        Slot pool = Slot.pool(s.pool().id(), 1);
        RunWrite[] results = new RunWrite[8];
        for (int i = 1; i < 8; i++) {
            int k = i; // claimer k - 1 is overtaken by claimer k; the last one lands first
            table.client().beforeNextTransaction(() -> results[k] = claimWith(runs.get(k), pool));
        }

        results[0] = claimWith(runs.get(0), pool);

        assertThat(results).filteredOn(r -> r instanceof RunWrite.Applied).containsExactly(results[7]);
        assertThat(Arrays.asList(results).subList(0, 7)).allSatisfy(r -> assertThat(r)
                .isEqualTo(new RunWrite.LimitReached(pool.key())));
        assertThat(store.slotsInUse(pool.key())).isEqualTo(1);
        assertThat(store.runs(RunFilter.inStates(Set.of(StateType.PENDING)), 100, null).items()).hasSize(1);
        assertThat(store.activeRuns(s.pool().id(), null)).isEqualTo(8);
    }

    @Test
    void writeRun_appliesExactlyOneOfEightWriters_atTheSameVersion_forcedInterleaving() {
        Setup s = setup();
        FlowRun run = store.createRun(run(s, T0, null));
        Slot pool = Slot.pool(s.pool().id(), null);
        RunWrite[] results = new RunWrite[8];
        for (int i = 1; i < 8; i++) {
            int k = i;
            table.client().beforeNextTransaction(() -> results[k] = store.writeRun(claim(run, "worker-" + k),
                    run.version(), new SlotChange.Acquire(List.of(pool))));
        }

        results[0] = store.writeRun(claim(run, "worker-0"), run.version(), new SlotChange.Acquire(List.of(pool)));

        FlowRun winner = claim(run, "worker-7");
        assertThat(results[7]).isEqualTo(new RunWrite.Applied(winner));
        assertThat(Arrays.asList(results).subList(0, 7)).allSatisfy(r -> assertThat(r)
                .isEqualTo(new RunWrite.Stale(winner)));
        assertThat(store.run(run.id())).contains(winner);
        assertThat(store.slotsInUse(pool.key())).isEqualTo(1);
    }

    @Test
    void writeRun_withAnEvent_isOneTransaction_ofTheRunAndTheEventsItems() {
        Setup s = setup();
        FlowRun run = store.createRun(run(s, T0, null));
        FlowRun claimed = claim(run, "w");
        Event event = RunEvents.stateChanged(claimed).receivedAt(T0.plusSeconds(2));
        table.client().takeCounts();
        int before = table.client().transactions().size();

        assertThat(store.writeRun(claimed, run.version(), SlotChange.NONE, event)).isEqualTo(new RunWrite.Applied(claimed));

        assertThat(table.client().takeCounts()).isEqualTo(Map.of("TransactWriteItems", 1));
        List<TransactWriteItem> items = table.client().transactions().get(before).transactItems();
        assertThat(items).hasSize(3);
        assertThat(items.get(0).put().item().get(Keys.PK)).isEqualTo(Keys.run(run.id()).get(Keys.PK));
        assertThat(items.get(0).put().conditionExpression()).isEqualTo("#v = :expected");
        // the event's items are the event store's: its id's mark, new, then the event the stream carries
        assertThat(items.get(1).put().item()).containsAllEntriesOf(Keys.eventId(event.id()));
        assertThat(items.get(1).put().conditionExpression()).isEqualTo(Expr.absent().expression());
        Map<String, AttributeValue> stored = items.get(2).put().item();
        assertThat(DynamoDbEvents.stored(stored.get(Keys.PK).s(), stored.get(Items.DOC).s())).isEqualTo(event);
    }

    @Test
    void writeRun_whoseEventIdIsStored_isSentAgainWithoutTheEvent_andAStaleOneIsNot() {
        Setup s = setup();
        FlowRun run = store.createRun(run(s, T0, null));
        FlowRun claimed = claim(run, "w");
        Event event = RunEvents.stateChanged(claimed).receivedAt(T0.plusSeconds(2));
        events().append(event);
        int before = table.client().transactions().size();

        RunWrite applied = store.writeRun(claimed, run.version(), SlotChange.NONE, event);
        RunWrite stale = store.writeRun(claim(run, "other"), run.version(), SlotChange.NONE, event);

        assertThat(applied).isEqualTo(new RunWrite.Applied(claimed));
        assertThat(stale).isEqualTo(new RunWrite.Stale(claimed));
        assertThat(table.client().transactions().subList(before, table.client().transactions().size()))
                .extracting(t -> t.transactItems().size())
                .as("the run with the event's items, the run alone; then the stale write, once")
                .containsExactly(3, 1, 3);
    }

    private RunWrite claimWith(FlowRun run, Slot slot) {
        return store.writeRun(claim(run, "worker-" + run.id()), run.version(), new SlotChange.Acquire(List.of(slot)));
    }
}
