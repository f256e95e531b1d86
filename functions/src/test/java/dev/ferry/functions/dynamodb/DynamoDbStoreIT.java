package dev.ferry.functions.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.deployments.Deployment;
import dev.ferry.core.pools.WorkPool;
import dev.ferry.core.pools.WorkQueue;
import dev.ferry.core.ports.RunFilter;
import dev.ferry.core.ports.RunWrite;
import dev.ferry.core.ports.Slot;
import dev.ferry.core.ports.SlotChange;
import dev.ferry.core.ports.Store;
import dev.ferry.core.ports.StoreContract;
import dev.ferry.core.runs.FlowRun;
import dev.ferry.core.runs.StateType;
import dev.ferry.functions.testing.Emulator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The Store contract on DynamoDB in the emulator: a fresh account and table for every test.
 *
 * <p>moto is not atomic under concurrent requests (parallel conditional writes of one item lose
 * updates or fail with HTTP 500), so the contract's two thread races prove nothing there and
 * fail at random. On moto they are switched off ({@link ThreadRacesOnMoto}) and replaced by the
 * same races forced: each writer is overtaken by the next one after it built its conditional
 * write and before it sent it, the worst moment. On LocalStack the thread races run as written.
 */
@ExtendWith({Emulator.class, DynamoDbStoreIT.ThreadRacesOnMoto.class})
class DynamoDbStoreIT extends StoreContract {
    private static DynamoDbClient raw;
    private static InterceptingClient client;

    @Override
    protected Store newStore() {
        Emulator.reset();
        if (raw == null) {
            raw = Emulator.dynamoDb();
            client = new InterceptingClient(raw);
        }
        String table = "ferry-" + UUID.randomUUID(); // unique too where reset can't wipe (LocalStack)
        DynamoDbStore.createTable(raw, table);
        return new DynamoDbStore(client, table);
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
            client.beforeNextTransaction(() -> results[k] = claimWith(runs.get(k), pool));
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
            client.beforeNextTransaction(() -> results[k] = store.writeRun(claim(run, "worker-" + k), run.version(),
                    new SlotChange.Acquire(List.of(pool))));
        }

        results[0] = store.writeRun(claim(run, "worker-0"), run.version(), new SlotChange.Acquire(List.of(pool)));

        FlowRun winner = claim(run, "worker-7");
        assertThat(results[7]).isEqualTo(new RunWrite.Applied(winner));
        assertThat(Arrays.asList(results).subList(0, 7)).allSatisfy(r -> assertThat(r)
                .isEqualTo(new RunWrite.Stale(winner)));
        assertThat(store.run(run.id())).contains(winner);
        assertThat(store.slotsInUse(pool.key())).isEqualTo(1);
    }

    // ------------------------------------------------------------------ beyond the contract: renames
    // Names live in keys here, so a rename moves items; the services never rename, SQLite allows it.

    @Test
    void updatePool_movesThePoolToItsNewName() {
        Setup s = setup();
        WorkPool renamed = new WorkPool(s.pool().id(), "pool-z", s.pool().type(), s.pool().description(),
                s.pool().baseJobTemplate(), 3, false, WorkPool.DEFAULT_QUEUE, s.pool().created(), T0.plusSeconds(1));

        assertThat(store.updatePool(renamed)).isTrue();

        assertThat(store.pool("pool-z")).contains(renamed);
        assertThat(store.pool(s.pool().name())).isEmpty();
        assertThat(store.pools()).containsExactly(renamed);
        store.deletePool(renamed.id());
        assertThat(store.pools()).isEmpty();
    }

    @Test
    void updateQueue_movesTheQueueToItsNewName_andKeepsItsPolls() {
        Setup s = setup();
        store.markPolled(List.of(s.queue().id()), T0.plusSeconds(2));
        WorkQueue polled = store.queue(s.pool().id(), WorkPool.DEFAULT_QUEUE).orElseThrow();
        WorkQueue renamed = new WorkQueue(polled.id(), polled.poolId(), polled.pool(), "urgent", null, 1, null, false,
                polled.lastPolled(), polled.created(), T0.plusSeconds(3));

        assertThat(store.updateQueue(renamed)).isTrue();

        assertThat(store.queues(s.pool().id())).containsExactly(renamed);
        store.deleteQueue(renamed.id());
        assertThat(store.queues(s.pool().id())).isEmpty();
    }

    @Test
    void updateDeployment_movesTheDeploymentToItsNewName_andRefusesATakenOne() {
        Setup s = setup();
        Deployment other = store.upsertDeployment(deployment("etl", "other", s.pool().name()));
        Deployment d = s.deployment();
        Deployment renamed = new Deployment(d.id(), "weekly", d.flowName(), d.entrypoint(), d.workPoolName(),
                d.workQueueName(), d.parameters(), d.parameterOpenapiSchema(), d.enforceParameterSchema(),
                d.jobVariables(), d.tags(), d.schedules(), d.overlap(), d.concurrencyLimit(), d.collisionStrategy(),
                d.paused(), d.pauseNote(), d.pausedBy(), d.resumeAt(), d.pullSteps(), d.version(), d.description(), d.retries(), d.retryDelaySeconds(), d.created(), d.updated());

        assertThat(store.updateDeployment(renamed)).isTrue();

        assertThat(store.deployment("etl", "weekly")).contains(renamed);
        assertThat(store.deployment("etl", "nightly")).isEmpty();
        assertThat(store.deployments(null, 10, null).items()).containsExactly(other, renamed);
        Deployment clash = new Deployment(other.id(), "weekly", other.flowName(), other.entrypoint(),
                other.workPoolName(), other.workQueueName(), other.parameters(), other.parameterOpenapiSchema(),
                other.enforceParameterSchema(), other.jobVariables(), other.tags(), other.schedules(),
                other.overlap(), other.concurrencyLimit(), other.collisionStrategy(), other.paused(), other.pauseNote(),
                other.pausedBy(), other.resumeAt(), other.pullSteps(), other.version(),
                other.description(), other.retries(), other.retryDelaySeconds(), other.created(), other.updated());
        assertThatThrownBy(() -> store.updateDeployment(clash))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("etl/weekly");
        assertThat(store.deployment("etl", "other")).contains(other);
    }

    private RunWrite claimWith(FlowRun run, Slot slot) {
        return store.writeRun(claim(run, "worker-" + run.id()), run.version(), new SlotChange.Acquire(List.of(slot)));
    }

    /** Switches the contract's thread races off on moto, which can't run them atomically. */
    static final class ThreadRacesOnMoto implements ExecutionCondition {
        private static final Set<String> THREAD_RACES = Set.of(
                "writeRun_letsExactlyOneOfEightClaimersIn_whenThePoolLimitIsOne",
                "writeRun_appliesExactlyOneOfEightWriters_atTheSameVersion");

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            boolean race = context.getTestMethod().map(m -> THREAD_RACES.contains(m.getName())).orElse(false);
            if (race && !"localstack".equals(System.getProperty("emulator"))) {
                return ConditionEvaluationResult.disabled("moto is not atomic under concurrent requests; "
                        + "the same race runs forced, as " + context.getRequiredTestMethod().getName() + "_forcedInterleaving");
            }
            return ConditionEvaluationResult.enabled("not a thread race, or an atomic emulator");
        }
    }
}
