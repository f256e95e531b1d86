package dev.ferry.aws.dynamodb;

import static dev.ferry.core.testing.Fixtures.T0;
import static dev.ferry.core.testing.Fixtures.claim;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.aws.testing.Emulator;
import dev.ferry.aws.testing.ThreadRacesOnMoto;
import dev.ferry.core.deployments.DeploymentStore;
import dev.ferry.core.runs.FlowRun;
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
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

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

    private RunWrite claimWith(FlowRun run, Slot slot) {
        return store.writeRun(claim(run, "worker-" + run.id()), run.version(), new SlotChange.Acquire(List.of(slot)));
    }
}
