package dev.ferry.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Json;
import dev.ferry.core.common.Page;
import dev.ferry.core.common.Write;
import dev.ferry.core.deployments.CollisionStrategy;
import dev.ferry.core.deployments.Deployment;
import dev.ferry.core.deployments.Overlap;
import dev.ferry.core.pools.PoolType;
import dev.ferry.core.pools.Readiness;
import dev.ferry.core.pools.WorkPool;
import dev.ferry.core.pools.WorkQueue;
import dev.ferry.core.pools.Worker;
import dev.ferry.core.runs.FlowRun;
import dev.ferry.core.runs.LogLine;
import dev.ferry.core.runs.RunFilter;
import dev.ferry.core.runs.RunWrite;
import dev.ferry.core.runs.Slot;
import dev.ferry.core.runs.SlotChange;
import dev.ferry.core.runs.State;
import dev.ferry.core.runs.StateType;
import dev.ferry.core.testing.StoreSet;
import dev.ferry.core.testing.ThreadRace;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link StoreSet} adapter must do. An adapter's test subclasses this and supplies
 * {@link #newStore()}; nothing else.
 */
public abstract class StoreContract {

    protected static final Instant T0 = Instant.parse("2026-03-01T12:00:00.123456789Z");

    /** A fresh, empty store. Called once per test. */
    protected abstract StoreSet newStore();

    protected StoreSet store;
    private ExecutorService threads;

    @BeforeEach
    void freshStore() {
        store = newStore();
        threads = Executors.newFixedThreadPool(8);
    }

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    // ------------------------------------------------------------------ work pools and queues

    @Test
    void createPool_storesThePoolWithItsDefaultQueue() {
        WorkPool pool = pool("pool-a");
        WorkQueue dflt = queue(pool, "default", 1);

        assertThat(store.createPool(pool, dflt)).isTrue();

        assertThat(store.pool("pool-a")).contains(pool);
        assertThat(store.queues(pool.id())).containsExactly(dflt);
        assertThat(store.queue(pool.id(), "default")).contains(dflt);
    }

    @Test
    void createPool_returnsFalseAndWritesNothing_whenTheNameIsTaken() {
        WorkPool first = pool("pool-a");
        store.createPool(first, queue(first, "default", 1));
        WorkPool second = pool("pool-a");

        assertThat(store.createPool(second, queue(second, "default", 1))).isFalse();

        assertThat(store.pool("pool-a")).contains(first);
        assertThat(store.pools()).containsExactly(first);
        assertThat(store.queues(second.id())).isEmpty();
    }

    @Test
    void pool_isEmpty_whenNoPoolHasTheName() {
        assertThat(store.pool("nope")).isEmpty();
        assertThat(store.pools()).isEmpty();
    }

    @Test
    void pools_listsEveryPool() {
        WorkPool a = createdPool("pool-a");
        WorkPool b = createdPool("pool-b");

        assertThat(store.pools()).containsExactlyInAnyOrder(a, b);
    }

    @Test
    void updatePool_storesTheChange_withTheNextRevision() {
        WorkPool pool = createdPool("pool-a");
        WorkPool changed = pool.withConcurrencyLimit(3, T0.plusSeconds(5)).withPaused(true, T0.plusSeconds(5));

        Write<WorkPool> written = store.updatePool(changed);

        assertThat(written).isEqualTo(new Write.Applied<>(changed.withRevision(2)));
        assertThat(store.pool("pool-a")).contains(changed.withRevision(2));
    }

    @Test
    void updatePool_isRefusedWithTheCurrentPool_whenItChangedSinceItWasRead() {
        WorkPool read = createdPool("pool-a");
        WorkPool first = applied(store.updatePool(read.withPaused(true, T0.plusSeconds(1))));

        Write<WorkPool> stale = store.updatePool(read.withConcurrencyLimit(9, T0.plusSeconds(2)));

        assertThat(stale).isEqualTo(new Write.Stale<>(first));
        assertThat(store.pool("pool-a")).contains(first);
    }

    @Test
    void updatePool_isRefusedWithNothing_whenThePoolIsGone_evenIfAnotherTookItsName() {
        WorkPool pool = createdPool("pool-a");
        store.deletePool(pool.id());

        assertThat(store.updatePool(pool.withPaused(true, T0))).isEqualTo(new Write.Stale<>(null));
        assertThat(store.pool("pool-a")).isEmpty();

        WorkPool successor = createdPool("pool-a");
        assertThat(store.updatePool(pool.withPaused(true, T0))).isEqualTo(new Write.Stale<>(null));
        assertThat(store.pool("pool-a")).contains(successor);
    }

    @Test
    void deletePool_removesItsQueuesAndWorkers_butNoOtherPoolsOnes() {
        WorkPool doomed = createdPool("pool-a");
        store.createQueue(queue(doomed, "extra", 2));
        store.saveWorker(worker(doomed, "w1", T0));
        WorkPool kept = createdPool("pool-b");
        store.saveWorker(worker(kept, "w1", T0));

        store.deletePool(doomed.id());

        assertThat(store.pool("pool-a")).isEmpty();
        assertThat(store.queues(doomed.id())).isEmpty();
        assertThat(store.queue(doomed.id(), "default")).isEmpty();
        assertThat(store.workers(doomed.id())).isEmpty();
        assertThat(store.queues(kept.id())).hasSize(1);
        assertThat(store.workers(kept.id())).hasSize(1);
    }

    @Test
    void createQueue_returnsFalse_whenThePoolHasAQueueOfThatName() {
        WorkPool pool = createdPool("pool-a");
        WorkQueue first = queue(pool, "fast", 2);
        assertThat(store.createQueue(first)).isTrue();

        assertThat(store.createQueue(queue(pool, "fast", 9))).isFalse();

        assertThat(store.queue(pool.id(), "fast")).contains(first);
    }

    @Test
    void createQueue_acceptsANameTaken_inAnotherPool() {
        WorkPool a = createdPool("pool-a");
        WorkPool b = createdPool("pool-b");

        assertThat(store.createQueue(queue(a, "fast", 2))).isTrue();
        assertThat(store.createQueue(queue(b, "fast", 2))).isTrue();
    }

    @Test
    void queues_areOrderedByPriorityThenName() {
        WorkPool pool = pool("pool-a");
        WorkQueue dflt = queue(pool, "default", 5);
        store.createPool(pool, dflt);
        WorkQueue urgent = queue(pool, "urgent", 1);
        WorkQueue beta = queue(pool, "beta", 3);
        WorkQueue alpha = queue(pool, "alpha", 3);
        store.createQueue(beta);
        store.createQueue(urgent);
        store.createQueue(alpha);

        assertThat(store.queues(pool.id())).containsExactly(urgent, alpha, beta, dflt);
    }

    @Test
    void updateQueue_storesTheChange_withTheNextRevision() {
        WorkPool pool = createdPool("pool-a");
        WorkQueue q = store.queue(pool.id(), "default").orElseThrow();
        WorkQueue changed = q.with("now paused", 7, 2, true, T0.plusSeconds(1));

        Write<WorkQueue> written = store.updateQueue(changed);

        assertThat(written).isEqualTo(new Write.Applied<>(changed.withRevision(2)));
        assertThat(store.queue(pool.id(), "default")).contains(changed.withRevision(2));
    }

    @Test
    void updateQueue_isRefusedWithTheCurrentQueue_whenItChangedSinceItWasRead() {
        WorkPool pool = createdPool("pool-a");
        WorkQueue read = store.queue(pool.id(), "default").orElseThrow();
        WorkQueue first = applied(store.updateQueue(read.with("first", 1, 4, false, T0.plusSeconds(1))));

        Write<WorkQueue> stale = store.updateQueue(read.with(null, 5, null, true, T0.plusSeconds(2)));

        assertThat(stale).isEqualTo(new Write.Stale<>(first));
        assertThat(store.queue(pool.id(), "default")).contains(first);
    }

    @Test
    void updateQueue_keepsAPollThatLandedAfterTheQueueWasRead() {
        WorkPool pool = createdPool("pool-a");
        WorkQueue read = store.queue(pool.id(), "default").orElseThrow();
        store.markPolled(List.of(read.id()), T0.plusSeconds(30));

        WorkQueue stored = applied(store.updateQueue(read.with("edited", 2, null, false, T0.plusSeconds(31))));

        assertThat(stored.lastPolled()).isEqualTo(T0.plusSeconds(30));
        assertThat(store.queue(pool.id(), "default").orElseThrow().lastPolled()).isEqualTo(T0.plusSeconds(30));
    }

    @Test
    void updateQueue_isRefusedWithNothing_whenTheQueueIsGone() {
        WorkPool pool = createdPool("pool-a");
        WorkQueue q = queue(pool, "gone", 2);
        store.createQueue(q);
        store.deleteQueue(q.id());

        assertThat(store.updateQueue(q.with(null, 3, null, false, T0))).isEqualTo(new Write.Stale<>(null));
        assertThat(store.queue(pool.id(), "gone")).isEmpty();
        assertThat(store.queues(pool.id())).extracting(WorkQueue::name).containsExactly("default");
    }

    @Test
    void markPolled_recordsThePollOnEveryQueueNamed_andMakesThemReady() {
        WorkPool pool = createdPool("pool-a");
        WorkQueue other = queue(pool, "other", 2);
        WorkQueue untouched = queue(pool, "untouched", 3);
        store.createQueue(other);
        store.createQueue(untouched);
        String dfltId = store.queue(pool.id(), "default").orElseThrow().id();
        Instant at = T0.plusSeconds(30);

        store.markPolled(List.of(dfltId, other.id()), at);

        assertThat(store.queue(pool.id(), "default").orElseThrow().lastPolled()).isEqualTo(at);
        assertThat(store.queue(pool.id(), "other").orElseThrow().status(at)).isEqualTo(Readiness.READY);
        assertThat(store.queue(pool.id(), "untouched").orElseThrow().lastPolled()).isNull();
    }

    @Test
    void markPolled_leavesTheRevision_soAnEditRacingAPollStillLands() {
        WorkPool pool = createdPool("pool-a");
        WorkQueue read = store.queue(pool.id(), "default").orElseThrow();

        store.markPolled(List.of(read.id()), T0.plusSeconds(30));

        assertThat(store.queue(pool.id(), "default").orElseThrow().revision()).isEqualTo(read.revision());
        assertThat(store.updateQueue(read.with(null, 4, null, false, T0.plusSeconds(31))))
                .isInstanceOf(Write.Applied.class);
    }

    @Test
    void markPolled_ignoresQueuesThatNoLongerExist() {
        WorkPool pool = createdPool("pool-a");
        String dfltId = store.queue(pool.id(), "default").orElseThrow().id();

        store.markPolled(List.of("no-such-queue", dfltId), T0);

        assertThat(store.queue(pool.id(), "default").orElseThrow().lastPolled()).isEqualTo(T0);
    }

    @Test
    void saveWorker_upsertsByPoolAndName() {
        WorkPool a = createdPool("pool-a");
        WorkPool b = createdPool("pool-b");
        store.saveWorker(worker(a, "w1", T0));
        store.saveWorker(worker(a, "w2", T0));
        store.saveWorker(worker(b, "w1", T0));

        Worker later = worker(a, "w1", T0.plusSeconds(60));
        store.saveWorker(later);

        assertThat(store.workers(a.id())).hasSize(2).contains(later, worker(a, "w2", T0));
        assertThat(store.workers(b.id())).containsExactly(worker(b, "w1", T0));
    }

    // ------------------------------------------------------------------ deployments

    @Test
    void createDeployment_insertsANewDeploymentAsGiven() {
        Deployment d = deployment("etl", "nightly", "pool-a");

        assertThat(store.createDeployment(d)).isTrue();

        assertThat(store.deployment(d.id())).contains(d);
        assertThat(store.deployment("etl", "nightly")).contains(d);
    }

    @Test
    void createDeployment_returnsFalseAndWritesNothing_whenFlowAndNameAreTaken() {
        Deployment first = created(deployment("etl", "nightly", "pool-a"));
        Deployment again = deployment("etl", "nightly", "pool-b");

        assertThat(store.createDeployment(again)).isFalse();

        assertThat(store.deployment("etl", "nightly")).contains(first);
        assertThat(store.deployment(again.id())).isEmpty();
        assertThat(store.deployments(null, 10, null).items()).containsExactly(first);
    }

    @ThreadRace
    @Test
    void createDeployment_makesOneDeployment_whenTwoFirstDeploysRace() throws Exception {
        List<Callable<Boolean>> creates = new ArrayList<>();
        for (int i = 0; i < 8; i++) creates.add(() -> store.createDeployment(deployment("etl", "nightly", "pool-a")));

        List<Boolean> answers = race(creates);

        assertThat(answers).containsOnlyOnce(true);
        assertThat(store.deployments(null, 10, null).items()).hasSize(1);
    }

    @Test
    void deployment_isEmpty_whenUnknown() {
        created(deployment("etl", "nightly", "pool-a"));

        assertThat(store.deployment("no-such-id")).isEmpty();
        assertThat(store.deployment("etl", "weekly")).isEmpty();
        assertThat(store.deployment("nightly", "etl")).isEmpty();
    }

    @Test
    void deployments_pageInFlowThenNameOrder_withCursors() {
        List<Deployment> expected = new ArrayList<>();
        for (String flow : List.of("b-flow", "a-flow", "c-flow")) {
            for (String name : List.of("two", "one")) {
                created(deployment(flow, name, "pool-a"));
            }
        }
        for (String flow : List.of("a-flow", "b-flow", "c-flow")) {
            for (String name : List.of("one", "two")) {
                expected.add(store.deployment(flow, name).orElseThrow());
            }
        }

        Page<Deployment> first = store.deployments(null, 4, null);
        Page<Deployment> second = store.deployments(null, 4, first.next());

        assertThat(first.items()).containsExactlyElementsOf(expected.subList(0, 4));
        assertThat(first.next()).isNotNull();
        assertThat(second.items()).containsExactlyElementsOf(expected.subList(4, 6));
        assertThat(second.next()).isNull();
    }

    @Test
    void deployments_haveNoNextCursor_whenThePageIsExactlyFull() {
        created(deployment("etl", "a", "pool-a"));
        created(deployment("etl", "b", "pool-a"));

        Page<Deployment> page = store.deployments(null, 2, null);

        assertThat(page.items()).hasSize(2);
        assertThat(page.next()).isNull();
    }

    @Test
    void deployments_filterByWorkPoolName() {
        Deployment a1 = created(deployment("etl", "a1", "pool-a"));
        created(deployment("etl", "b1", "pool-b"));
        Deployment a2 = created(deployment("report", "a2", "pool-a"));

        Page<Deployment> first = store.deployments("pool-a", 1, null);
        Page<Deployment> second = store.deployments("pool-a", 1, first.next());

        assertThat(first.items()).containsExactly(a1);
        assertThat(second.items()).containsExactly(a2);
        assertThat(second.next()).isNull();
        assertThat(store.deployments("pool-c", 10, null).items()).isEmpty();
    }

    @Test
    void deployments_refuseACursorTheyDidNotIssue() {
        assertThatThrownBy(() -> store.deployments(null, 10, "not-a-cursor!"))
                .isInstanceOf(BadInput.class);
    }

    @Test
    void updateDeployment_storesTheChange_withTheNextRevision() {
        Deployment d = created(deployment("etl", "nightly", "pool-a"));
        Deployment paused = d.paused("maintenance", "ops", T0.plusSeconds(600), T0.plusSeconds(3));

        Write<Deployment> written = store.updateDeployment(paused);

        assertThat(written).isEqualTo(new Write.Applied<>(paused.withRevision(2)));
        assertThat(store.deployment(d.id())).contains(paused.withRevision(2));
        assertThat(store.deployment("etl", "nightly")).contains(paused.withRevision(2));
    }

    @Test
    void updateDeployment_isRefusedWithTheCurrentDeployment_whenItChangedSinceItWasRead() {
        Deployment read = created(deployment("etl", "nightly", "pool-a"));
        Deployment first = applied(store.updateDeployment(read.paused("first", "ops", null, T0.plusSeconds(1))));

        Write<Deployment> stale = store.updateDeployment(read.withSettings(7, CollisionStrategy.CANCEL_NEW, Overlap.SKIP,
                "second", T0.plusSeconds(2)));

        assertThat(stale).isEqualTo(new Write.Stale<>(first));
        assertThat(store.deployment(read.id())).contains(first);
    }

    @Test
    void updateDeployment_isRefusedWithNothing_whenItIsGone() {
        Deployment d = created(deployment("etl", "nightly", "pool-a"));
        applied(store.deleteDeployment(d));

        assertThat(store.updateDeployment(d.paused(null, null, null, T0))).isEqualTo(new Write.Stale<>(null));
        assertThat(store.deployment(d.id())).isEmpty();
        assertThat(store.deployment("etl", "nightly")).isEmpty();
        assertThat(store.deployments(null, 10, null).items()).isEmpty();
    }

    @Test
    void deleteDeployment_removesIt_andFreesItsName() {
        Deployment d = created(deployment("etl", "nightly", "pool-a"));

        assertThat(store.deleteDeployment(d)).isEqualTo(new Write.Applied<>(d));

        assertThat(store.deployment(d.id())).isEmpty();
        assertThat(store.deployment("etl", "nightly")).isEmpty();
        assertThat(store.createDeployment(deployment("etl", "nightly", "pool-a"))).isTrue();
    }

    @Test
    void deleteDeployment_isRefusedWithTheCurrentDeployment_whenItChangedSinceItWasRead() {
        Deployment read = created(deployment("etl", "nightly", "pool-a"));
        Deployment edited = applied(store.updateDeployment(read.paused("keep me", "ops", null, T0.plusSeconds(1))));

        assertThat(store.deleteDeployment(read)).isEqualTo(new Write.Stale<>(edited));
        assertThat(store.deployment(read.id())).contains(edited);
        assertThat(store.deleteDeployment(read.withRevision(99))).isEqualTo(new Write.Stale<>(edited));
        assertThat(store.deleteDeployment(edited)).isEqualTo(new Write.Applied<>(edited));
        assertThat(store.deleteDeployment(edited)).isEqualTo(new Write.Stale<>(null));
    }

    // ------------------------------------------------------------------ flow runs

    @Test
    void createRun_storesTheRunAsGiven() {
        Setup s = setup();
        FlowRun run = run(s, T0, null);

        assertThat(store.createRun(run)).isEqualTo(run);

        assertThat(store.run(run.id())).contains(run);
    }

    @Test
    void run_isEmpty_whenUnknown() {
        assertThat(store.run("no-such-run")).isEmpty();
    }

    @Test
    void createRun_returnsTheExistingRunAndWritesNothing_whenTheDeploymentHasTheKey() {
        Setup s = setup();
        FlowRun first = store.createRun(run(s, T0, "schedule-1@2026-03-01T12:00Z"));
        FlowRun repeat = run(s, T0.plusSeconds(1), "schedule-1@2026-03-01T12:00Z");

        FlowRun returned = store.createRun(repeat);

        assertThat(returned).isEqualTo(first);
        assertThat(store.run(repeat.id())).isEmpty();
        assertThat(store.runs(RunFilter.ALL, 10, null).items()).containsExactly(first);
    }

    @Test
    void createRun_makesADifferentRun_forTheSameKeyOnAnotherDeployment() {
        Setup s = setup();
        Deployment other = created(deployment("etl", "other", s.pool.name()));
        FlowRun first = store.createRun(run(s, T0, "key-1"));
        FlowRun second = run(s, other, T0.plusSeconds(1), "key-1", StateType.SCHEDULED);

        assertThat(store.createRun(second)).isEqualTo(second);

        assertThat(store.run(first.id())).contains(first);
        assertThat(store.run(second.id())).contains(second);
    }

    @Test
    void createRun_neverDeduplicates_runsWithoutAKey() {
        Setup s = setup();
        FlowRun a = store.createRun(run(s, T0, null));
        FlowRun b = store.createRun(run(s, T0, null));

        assertThat(store.runs(RunFilter.ALL, 10, null).items()).containsExactlyInAnyOrder(a, b);
    }

    @Test
    void runs_areNewestFirst_andPageWithCursors() {
        Setup s = setup();
        List<FlowRun> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) created.add(store.createRun(run(s, T0.plusMillis(i), null)));

        Page<FlowRun> first = store.runs(RunFilter.ALL, 2, null);
        Page<FlowRun> second = store.runs(RunFilter.ALL, 2, first.next());
        Page<FlowRun> third = store.runs(RunFilter.ALL, 2, second.next());

        assertThat(first.items()).containsExactly(created.get(4), created.get(3));
        assertThat(second.items()).containsExactly(created.get(2), created.get(1));
        assertThat(third.items()).containsExactly(created.get(0));
        assertThat(third.next()).isNull();
    }

    @Test
    void runs_pageWithoutLossOrRepeat_whenRunsShareACreatedTime() {
        Setup s = setup();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 7; i++) ids.add(store.createRun(run(s, T0, null)).id());

        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            Page<FlowRun> page = store.runs(RunFilter.ALL, 3, cursor);
            page.items().forEach(r -> seen.add(r.id()));
            cursor = page.next();
        } while (cursor != null);

        assertThat(seen).containsExactlyInAnyOrderElementsOf(ids).doesNotHaveDuplicates();
    }

    @Test
    void runs_filterByStateDeploymentPoolAndQueue() {
        Setup s = setup();
        WorkQueue fast = queue(s.pool, "fast", 2);
        store.createQueue(fast);
        Deployment other = created(deployment("etl", "other", s.pool.name()));
        Setup b = setup("pool-b", "report", "daily");
        FlowRun scheduled = store.createRun(run(s, s.deployment, T0.plusMillis(1), null, StateType.SCHEDULED));
        FlowRun running = store.createRun(run(s, s.deployment, T0.plusMillis(2), null, StateType.RUNNING));
        FlowRun failed = store.createRun(run(s, other, T0.plusMillis(3), null, StateType.FAILED));
        FlowRun onFast = store.createRun(run(s.pool, fast, s.deployment, T0.plusMillis(4), null, StateType.PENDING));
        FlowRun inB = store.createRun(run(b, T0.plusMillis(5), null));

        assertThat(list(RunFilter.inStates(Set.of(StateType.SCHEDULED))))
                .containsExactly(inB, scheduled);
        assertThat(list(RunFilter.inStates(Set.of(StateType.RUNNING, StateType.FAILED, StateType.PENDING))))
                .containsExactly(onFast, failed, running);
        assertThat(list(new RunFilter(null, other.id(), null, null))).containsExactly(failed);
        assertThat(list(new RunFilter(Set.of(), null, "pool-b", null))).containsExactly(inB);
        assertThat(list(new RunFilter(null, null, s.pool.name(), "fast"))).containsExactly(onFast);
        assertThat(list(new RunFilter(Set.of(StateType.SCHEDULED), s.deployment.id(), s.pool.name(), "default")))
                .containsExactly(scheduled);
        assertThat(list(new RunFilter(Set.of(StateType.COMPLETED), null, null, null))).isEmpty();
    }

    @Test
    void runs_withAFilter_pageWithCursors() {
        Setup s = setup();
        List<FlowRun> scheduled = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            StateType type = i % 2 == 0 ? StateType.SCHEDULED : StateType.COMPLETED;
            FlowRun r = store.createRun(run(s, s.deployment, T0.plusMillis(i), null, type));
            if (type == StateType.SCHEDULED) scheduled.add(0, r);
        }
        RunFilter filter = RunFilter.inStates(Set.of(StateType.SCHEDULED));

        Page<FlowRun> first = store.runs(filter, 2, null);
        Page<FlowRun> second = store.runs(filter, 2, first.next());

        assertThat(first.items()).containsExactlyElementsOf(scheduled.subList(0, 2));
        assertThat(second.items()).containsExactlyElementsOf(scheduled.subList(2, 3));
        assertThat(second.next()).isNull();
    }

    @Test
    void runs_refuseACursorTheyDidNotIssue() {
        Setup s = setup();
        created(deployment("etl", "z", s.pool.name()));
        String deploymentCursor = store.deployments(null, 1, null).next();

        assertThatThrownBy(() -> store.runs(RunFilter.ALL, 10, "%%%garbage"))
                .isInstanceOf(BadInput.class);
        assertThatThrownBy(() -> store.runs(RunFilter.ALL, 10, deploymentCursor))
                .isInstanceOf(BadInput.class);
    }

    @Test
    void activeRuns_countsTheNonTerminalRunsOfThePoolOrOfTheQueue() {
        Setup s = setup();
        WorkQueue fast = queue(s.pool, "fast", 2);
        store.createQueue(fast);
        Setup b = setup("pool-b", "report", "daily");
        for (StateType type : StateType.values()) {
            store.createRun(run(s, s.deployment, T0, null, type));
        }
        store.createRun(run(s.pool, fast, s.deployment, T0, null, StateType.RUNNING));
        store.createRun(run(s.pool, fast, s.deployment, T0, null, StateType.COMPLETED));
        store.createRun(run(b, T0, null));
        long nonTerminal = java.util.Arrays.stream(StateType.values()).filter(t -> !t.isTerminal()).count();

        assertThat(store.activeRuns(s.pool.id(), null)).isEqualTo(nonTerminal + 1);
        assertThat(store.activeRuns(s.pool.id(), s.queue.id())).isEqualTo(nonTerminal);
        assertThat(store.activeRuns(s.pool.id(), fast.id())).isEqualTo(1);
        assertThat(store.activeRuns(b.pool.id(), null)).isEqualTo(1);
        assertThat(store.activeRuns("no-such-pool", null)).isZero();
    }

    @Test
    void activeRuns_followTheStateWrittenByWriteRun() {
        Setup s = setup();
        FlowRun run = store.createRun(run(s, T0, null));
        assertThat(store.activeRuns(s.pool.id(), null)).isEqualTo(1);

        FlowRun done = run.entering(State.of(StateType.CANCELLED, T0.plusSeconds(1)), T0.plusSeconds(1));
        store.writeRun(done, run.version(), SlotChange.NONE);

        assertThat(store.activeRuns(s.pool.id(), null)).isZero();
        assertThat(list(RunFilter.inStates(Set.of(StateType.CANCELLED)))).containsExactly(done);
    }

    // ------------------------------------------------------------------ conditional writes and slots

    @Test
    void writeRun_isApplied_whenTheVersionMatches() {
        Setup s = setup();
        FlowRun run = store.createRun(run(s, T0, null));
        FlowRun next = claim(run, "worker-1");

        RunWrite result = store.writeRun(next, run.version(), SlotChange.NONE);

        assertThat(result).isEqualTo(new RunWrite.Applied(next));
        assertThat(store.run(run.id())).contains(next);
    }

    @Test
    void writeRun_keepsTheRunsInfrastructure() {
        Setup s = setup();
        FlowRun run = store.createRun(run(s, T0, null));
        FlowRun claimed = claim(run, "ecs-dispatcher");
        store.writeRun(claimed, run.version(), SlotChange.NONE);
        FlowRun launched = claimed.launchedOn(new dev.ferry.core.runs.Infrastructure(
                dev.ferry.core.runs.Infrastructure.ECS_TASK, "ferry", "arn:aws:ecs:us-east-1:1:task/ferry/abc", "flow",
                "/ferry/tasks", "ferry/flow/abc", T0.plusSeconds(600), 600, 3L, null, null, true), T0.plusSeconds(2));

        assertThat(store.writeRun(launched, claimed.version(), SlotChange.NONE)).isEqualTo(new RunWrite.Applied(launched));

        assertThat(store.run(run.id())).contains(launched);
        assertThat(store.run(run.id()).orElseThrow().infrastructureId()).isEqualTo("arn:aws:ecs:us-east-1:1:task/ferry/abc");
    }

    @Test
    void writeRun_isStale_withTheCurrentRun_whenTheVersionMoved() {
        Setup s = setup();
        FlowRun run = store.createRun(run(s, T0, null));
        FlowRun winner = claim(run, "worker-1");
        store.writeRun(winner, run.version(), SlotChange.NONE);
        Slot poolSlot = Slot.pool(s.pool.id(), null);

        RunWrite result = store.writeRun(claim(run, "worker-2"), run.version(), new SlotChange.Acquire(List.of(poolSlot)));

        assertThat(result).isEqualTo(new RunWrite.Stale(winner));
        assertThat(store.run(run.id())).contains(winner);
        assertThat(store.slotsInUse(poolSlot.key())).isZero();
    }

    @Test
    void writeRun_isStale_withNoRun_whenTheRunDoesNotExist() {
        Setup s = setup();
        FlowRun never = run(s, T0, null);

        RunWrite result = store.writeRun(claim(never, "worker-1"), never.version(), SlotChange.NONE);

        assertThat(result).isEqualTo(new RunWrite.Stale(null));
        assertThat(store.run(never.id())).isEmpty();
    }

    @Test
    void writeRun_acquiresEverySlotOfTheAcquire() {
        Setup s = setup();
        FlowRun run = store.createRun(run(s, T0, null));
        List<Slot> slots = slotsOf(s, 2, 2, 2);

        RunWrite result = store.writeRun(claim(run, "w"), run.version(), new SlotChange.Acquire(slots));

        assertThat(result).isInstanceOf(RunWrite.Applied.class);
        for (Slot slot : slots) assertThat(store.slotsInUse(slot.key())).as(slot.key()).isEqualTo(1);
    }

    @Test
    void writeRun_isRefused_whenPoolSlotIsFull() {
        Setup s = setup();
        FlowRun holder = store.createRun(run(s, T0, null));
        store.writeRun(claim(holder, "w1"), holder.version(), new SlotChange.Acquire(slotsOf(s, 1, null, null)));
        FlowRun run = store.createRun(run(s, T0.plusSeconds(1), null));
        List<Slot> slots = slotsOf(s, 1, 5, 5);

        RunWrite result = store.writeRun(claim(run, "w2"), run.version(), new SlotChange.Acquire(slots));

        assertThat(result).isEqualTo(new RunWrite.LimitReached(Slot.pool(s.pool.id(), 1).key()));
        assertThat(store.run(run.id())).contains(run);
        assertThat(store.slotsInUse(slots.get(0).key())).isEqualTo(1);
        assertThat(store.slotsInUse(slots.get(1).key())).isEqualTo(1);
        assertThat(store.slotsInUse(slots.get(2).key())).isEqualTo(1);
    }

    @Test
    void writeRun_isRefusedWithoutCountingAnything_whenALaterSlotIsFull() {
        Setup s = setup();
        FlowRun holder = store.createRun(run(s, T0, null));
        store.writeRun(claim(holder, "w1"), holder.version(), new SlotChange.Acquire(slotsOf(s, null, null, null)));
        FlowRun run = store.createRun(run(s, T0.plusSeconds(1), null));
        // the first two counters have room; only the deployment's is full
        List<Slot> slots = slotsOf(s, 10, 10, 1);

        RunWrite result = store.writeRun(claim(run, "w2"), run.version(), new SlotChange.Acquire(slots));

        assertThat(result).isEqualTo(new RunWrite.LimitReached(slots.get(2).key()));
        assertThat(store.run(run.id())).contains(run);
        for (Slot slot : slots) assertThat(store.slotsInUse(slot.key())).as(slot.key()).isEqualTo(1);
    }

    @Test
    void writeRun_namesTheFirstFullSlot_whenSeveralAreFull() {
        Setup s = setup();
        FlowRun holder = store.createRun(run(s, T0, null));
        store.writeRun(claim(holder, "w1"), holder.version(), new SlotChange.Acquire(slotsOf(s, null, null, null)));
        FlowRun run = store.createRun(run(s, T0.plusSeconds(1), null));
        List<Slot> slots = slotsOf(s, 5, 1, 1);

        RunWrite result = store.writeRun(claim(run, "w2"), run.version(), new SlotChange.Acquire(slots));

        assertThat(result).isEqualTo(new RunWrite.LimitReached(slots.get(1).key()));
    }

    @Test
    void writeRun_isRefused_whenTheLimitIsZero() {
        Setup s = setup();
        FlowRun run = store.createRun(run(s, T0, null));

        RunWrite result = store.writeRun(claim(run, "w"), run.version(),
                new SlotChange.Acquire(List.of(Slot.queue(s.queue.id(), 0))));

        assertThat(result).isEqualTo(new RunWrite.LimitReached("queue:" + s.queue.id()));
        assertThat(store.slotsInUse("queue:" + s.queue.id())).isZero();
    }

    @Test
    void writeRun_withoutLimits_alwaysAcquires_butStillCounts() {
        Setup s = setup();
        List<Slot> unlimited = slotsOf(s, null, null, null);
        for (int i = 0; i < 5; i++) {
            FlowRun run = store.createRun(run(s, T0.plusSeconds(i), null));
            assertThat(store.writeRun(claim(run, "w"), run.version(), new SlotChange.Acquire(unlimited)))
                    .isInstanceOf(RunWrite.Applied.class);
        }

        for (Slot slot : unlimited) assertThat(store.slotsInUse(slot.key())).as(slot.key()).isEqualTo(5);
    }

    @Test
    void writeRun_enforcesALimitSetLater_againstTheTrueCount() {
        Setup s = setup();
        for (int i = 0; i < 2; i++) {
            FlowRun run = store.createRun(run(s, T0.plusSeconds(i), null));
            store.writeRun(claim(run, "w"), run.version(), new SlotChange.Acquire(List.of(Slot.pool(s.pool.id(), null))));
        }
        FlowRun third = store.createRun(run(s, T0.plusSeconds(5), null));

        RunWrite result = store.writeRun(claim(third, "w"), third.version(),
                new SlotChange.Acquire(List.of(Slot.pool(s.pool.id(), 2))));

        assertThat(result).isEqualTo(new RunWrite.LimitReached("pool:" + s.pool.id()));
    }

    @Test
    void writeRun_releaseGivesTheSlotsBack() {
        Setup s = setup();
        FlowRun run = store.createRun(run(s, T0, null));
        List<Slot> slots = slotsOf(s, 1, 1, 1);
        FlowRun claimed = claim(run, "w");
        store.writeRun(claimed, run.version(), new SlotChange.Acquire(slots));
        FlowRun done = claimed.entering(State.of(StateType.COMPLETED, T0.plusSeconds(9)), T0.plusSeconds(9));

        RunWrite result = store.writeRun(done, claimed.version(), new SlotChange.Release(slots));

        assertThat(result).isEqualTo(new RunWrite.Applied(done));
        for (Slot slot : slots) assertThat(store.slotsInUse(slot.key())).as(slot.key()).isZero();
        FlowRun next = store.createRun(run(s, T0.plusSeconds(10), null));
        assertThat(store.writeRun(claim(next, "w"), next.version(), new SlotChange.Acquire(slots)))
                .isInstanceOf(RunWrite.Applied.class);
    }

    @Test
    void writeRun_releaseNeverGoesBelowZero() {
        Setup s = setup();
        FlowRun run = store.createRun(run(s, T0, null));
        Slot pool = Slot.pool(s.pool.id(), 1);
        FlowRun crashed = run.entering(State.of(StateType.CRASHED, T0.plusSeconds(1)), T0.plusSeconds(1));

        store.writeRun(crashed, run.version(), new SlotChange.Release(List.of(pool, pool)));

        assertThat(store.slotsInUse(pool.key())).isZero();
        FlowRun other = store.createRun(run(s, T0.plusSeconds(2), null));
        FlowRun claimed = claim(other, "w");
        store.writeRun(claimed, other.version(), new SlotChange.Acquire(List.of(pool)));
        assertThat(store.slotsInUse(pool.key())).isEqualTo(1);
    }

    @Test
    void writeRun_staleRelease_givesNothingBack() {
        Setup s = setup();
        FlowRun run = store.createRun(run(s, T0, null));
        Slot pool = Slot.pool(s.pool.id(), 1);
        FlowRun claimed = claim(run, "w");
        store.writeRun(claimed, run.version(), new SlotChange.Acquire(List.of(pool)));
        FlowRun done = claimed.entering(State.of(StateType.COMPLETED, T0), T0);

        RunWrite result = store.writeRun(done, run.version(), new SlotChange.Release(List.of(pool)));

        assertThat(result).isEqualTo(new RunWrite.Stale(claimed));
        assertThat(store.slotsInUse(pool.key())).isEqualTo(1);
    }

    @Test
    void slotsInUse_isZero_forACounterNeverUsed() {
        assertThat(store.slotsInUse("pool:never-used")).isZero();
    }

    @ThreadRace
    @Test
    void writeRun_letsExactlyOneOfEightClaimersIn_whenThePoolLimitIsOne() throws Exception {
        Setup s = setup();
        List<FlowRun> runs = new ArrayList<>();
        for (int i = 0; i < 8; i++) runs.add(store.createRun(run(s, T0.plusMillis(i), null)));
        Slot pool = Slot.pool(s.pool.id(), 1);

        List<RunWrite> results = race(runs.stream().<Callable<RunWrite>>map(r -> () ->
                store.writeRun(claim(r, "worker-" + r.id()), r.version(), new SlotChange.Acquire(List.of(pool))))
                .toList());

        assertThat(results).filteredOn(r -> r instanceof RunWrite.Applied).hasSize(1);
        assertThat(results).filteredOn(r -> r instanceof RunWrite.LimitReached).hasSize(7)
                .allSatisfy(r -> assertThat(((RunWrite.LimitReached) r).slotKey()).isEqualTo(pool.key()));
        assertThat(store.slotsInUse(pool.key())).isEqualTo(1);
        assertThat(list(RunFilter.inStates(Set.of(StateType.PENDING)))).hasSize(1);
        assertThat(store.activeRuns(s.pool.id(), null)).isEqualTo(8);
    }

    @ThreadRace
    @Test
    void writeRun_appliesExactlyOneOfEightWriters_atTheSameVersion() throws Exception {
        Setup s = setup();
        FlowRun run = store.createRun(run(s, T0, null));
        Slot pool = Slot.pool(s.pool.id(), null);
        List<Callable<RunWrite>> writers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            FlowRun next = claim(run, "worker-" + i);
            writers.add(() -> store.writeRun(next, run.version(), new SlotChange.Acquire(List.of(pool))));
        }

        List<RunWrite> results = race(writers);

        List<RunWrite> applied = results.stream().filter(r -> r instanceof RunWrite.Applied).toList();
        assertThat(applied).hasSize(1);
        FlowRun winner = ((RunWrite.Applied) applied.get(0)).run();
        assertThat(results).filteredOn(r -> r instanceof RunWrite.Stale).hasSize(7)
                .allSatisfy(r -> assertThat(((RunWrite.Stale) r).current()).isEqualTo(winner));
        assertThat(store.run(run.id())).contains(winner);
        assertThat(store.slotsInUse(pool.key())).isEqualTo(1);
    }

    // ------------------------------------------------------------------ logs

    @Test
    void appendLogs_numbersLinesIncreasinglyPerRun_acrossAppends() {
        store.appendLogs("run-1", List.of(line("a"), line("b")));
        store.appendLogs("run-2", List.of(line("x")));
        store.appendLogs("run-1", List.of(line("c")));

        List<LogLine> run1 = store.logs("run-1", 0, 100);

        assertThat(run1).extracting(LogLine::message).containsExactly("a", "b", "c");
        assertThat(run1).extracting(LogLine::seq).isSorted().doesNotHaveDuplicates().allSatisfy(seq ->
                assertThat(seq).isPositive());
        assertThat(store.logs("run-2", 0, 100)).extracting(LogLine::message).containsExactly("x");
    }

    @Test
    void appendLogs_keepsTimestampStreamAndMessage_butAssignsItsOwnSeq() {
        LogLine sent = new LogLine(999, T0.plusMillis(7), "stderr", "boom \u2603 \"quoted\"");

        store.appendLogs("run-1", List.of(sent));

        LogLine stored = store.logs("run-1", 0, 10).get(0);
        assertThat(stored.timestamp()).isEqualTo(sent.timestamp());
        assertThat(stored.stream()).isEqualTo("stderr");
        assertThat(stored.message()).isEqualTo(sent.message());
        assertThat(store.logs("run-1", stored.seq(), 10)).isEmpty();
    }

    @Test
    void logs_areReadAfterASeq_oldestFirst_upToTheLimit() {
        List<LogLine> lines = new ArrayList<>();
        for (int i = 0; i < 10; i++) lines.add(line("line " + i));
        store.appendLogs("run-1", lines);
        List<LogLine> all = store.logs("run-1", 0, 100);

        List<LogLine> page = store.logs("run-1", all.get(3).seq(), 4);

        assertThat(page).containsExactlyElementsOf(all.subList(4, 8));
        assertThat(store.logs("run-1", all.get(9).seq(), 4)).isEmpty();
    }

    @Test
    void logs_areEmpty_forARunWithoutLines() {
        store.appendLogs("run-1", List.of());

        assertThat(store.logs("run-1", 0, 10)).isEmpty();
    }

    // ------------------------------------------------------------------ schedule cursors, task definitions

    @Test
    void cursors_areWrittenReplacedAndDeleted_perSchedule() {
        assertThat(store.cursor("d1", "nightly")).isEmpty();
        store.putCursor("d1", "nightly", T0);
        store.putCursor("d1", "nightly", T0.plusSeconds(86_400));
        store.putCursor("d1", "hourly", T0.plusSeconds(60));
        store.putCursor("d2", "nightly", T0.plusSeconds(5));
        assertThat(store.cursor("d1", "nightly")).contains(T0.plusSeconds(86_400));
        store.deleteCursor("d1", "nightly");
        store.deleteCursor("d9", "never-written");
        assertThat(store.cursor("d1", "nightly")).isEmpty();
        assertThat(store.cursor("d1", "hourly")).contains(T0.plusSeconds(60));
        assertThat(store.cursor("d2", "nightly")).contains(T0.plusSeconds(5));
    }

    @Test
    void taskDefinitions_areRememberedAndForgotten_byContentHash() {
        assertThat(store.taskDefinition("abc")).isEmpty();
        store.rememberTaskDefinition("abc", "arn:aws:ecs:us-east-1:123456789012:task-definition/ferry-p:1");
        store.rememberTaskDefinition("def", "arn:aws:ecs:us-east-1:123456789012:task-definition/ferry-p:2");
        assertThat(store.taskDefinition("abc")).contains("arn:aws:ecs:us-east-1:123456789012:task-definition/ferry-p:1");
        store.forgetTaskDefinition("abc");
        assertThat(store.taskDefinition("abc")).isEmpty();
        assertThat(store.taskDefinition("def")).isPresent();
    }

    // ------------------------------------------------------------------ fixtures

    /** A pool with its default queue and a deployment on it, all stored. */
    protected record Setup(WorkPool pool, WorkQueue queue, Deployment deployment) {}

    protected Setup setup() {
        return setup("pool-a", "etl", "nightly");
    }

    protected Setup setup(String poolName, String flow, String deploymentName) {
        WorkPool pool = pool(poolName);
        WorkQueue dflt = queue(pool, WorkPool.DEFAULT_QUEUE, 1);
        assertThat(store.createPool(pool, dflt)).isTrue();
        Deployment d = created(deployment(flow, deploymentName, poolName));
        return new Setup(pool, dflt, d);
    }

    private Deployment created(Deployment d) {
        assertThat(store.createDeployment(d)).isTrue();
        return d;
    }

    private static <T> T applied(Write<T> written) {
        assertThat(written).isInstanceOf(Write.Applied.class);
        return ((Write.Applied<T>) written).stored();
    }

    private WorkPool createdPool(String name) {
        WorkPool pool = pool(name);
        assertThat(store.createPool(pool, queue(pool, WorkPool.DEFAULT_QUEUE, 1))).isTrue();
        return pool;
    }

    protected static String newId() {
        return UUID.randomUUID().toString();
    }

    protected static WorkPool pool(String name) {
        ObjectNode template = (ObjectNode) Json.tree("""
                {"job_configuration": {"command": "{{ command }}"},
                 "variables": {"properties": {"command": {"type": "string", "default": "python"}}}}""");
        return new WorkPool(newId(), name, PoolType.PROCESS, "pool " + name, template, null, false,
                WorkPool.DEFAULT_QUEUE, T0, T0, 1);
    }

    protected static WorkQueue queue(WorkPool pool, String name, int priority) {
        return new WorkQueue(newId(), pool.id(), pool.name(), name, null, priority, null, false, null, T0, T0, 1);
    }

    protected static Worker worker(WorkPool pool, String name, Instant heartbeat) {
        return new Worker(pool.id(), pool.name(), name, heartbeat, Worker.DEFAULT_HEARTBEAT_SECONDS);
    }

    protected static Deployment deployment(String flow, String name, String poolName) {
        List<JsonNode> schedules = List.of(Json.tree("{\"slug\": \"hourly\", \"cron\": \"0 * * * *\", \"timezone\": \"UTC\"}"));
        return new Deployment(newId(), name, flow, "flows/" + flow + ".py:" + flow, poolName, WorkPool.DEFAULT_QUEUE,
                params("who", "Marvin"), (ObjectNode) Json.tree("{\"type\": \"object\"}"), true,
                Json.MAPPER.createObjectNode(), List.of("nightly"), schedules, Overlap.ALLOW, null, CollisionStrategy.ENQUEUE,
                false, null, null, null, List.of(), "1", null, 0, 0, T0, T0, 1);
    }

    protected static FlowRun run(Setup s, Instant created, String idempotencyKey) {
        return run(s.pool, s.queue, s.deployment, created, idempotencyKey, StateType.SCHEDULED);
    }

    protected static FlowRun run(Setup s, Deployment d, Instant created, String idempotencyKey, StateType type) {
        return run(s.pool, s.queue, d, created, idempotencyKey, type);
    }

    protected static FlowRun run(WorkPool pool, WorkQueue queue, Deployment d, Instant created, String idempotencyKey,
            StateType type) {
        State state = State.of(type, created);
        return new FlowRun(newId(), "brave-otter", d.id(), d.flowName(), d.name(), pool.id(), pool.name(), queue.id(),
                queue.name(), params("who", "Marvin"), Json.MAPPER.createObjectNode(), state, List.of(state), created,
                null, null, 0, 0, 0, idempotencyKey, null, null, List.of("t"), null, 1, created, created);
    }

    /** The write a worker makes to claim a scheduled run. */
    protected static FlowRun claim(FlowRun run, String worker) {
        Instant at = run.created().plusSeconds(1);
        return run.claimedBy(worker).entering(State.of(StateType.PENDING, at), at);
    }

    /** Pool, queue and deployment slots of the setup, with these limits. */
    protected static List<Slot> slotsOf(Setup s, Integer poolLimit, Integer queueLimit, Integer deploymentLimit) {
        return List.of(Slot.pool(s.pool.id(), poolLimit), Slot.queue(s.queue.id(), queueLimit),
                Slot.deployment(s.deployment.id(), deploymentLimit));
    }

    private static ObjectNode params(String key, String value) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put(key, value);
        return node;
    }

    private static LogLine line(String message) {
        return new LogLine(0, T0, "stdout", message);
    }

    private List<FlowRun> list(RunFilter filter) {
        return store.runs(filter, 100, null).items();
    }

    /** Runs every task at once (released together by a latch) and returns their results. */
    private <T> List<T> race(List<Callable<T>> tasks) throws Exception {
        CountDownLatch ready = new CountDownLatch(tasks.size());
        CountDownLatch go = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>();
        for (Callable<T> task : tasks) {
            futures.add(threads.submit(() -> {
                ready.countDown();
                go.await();
                return task.call();
            }));
        }
        assertThat(ready.await(10, TimeUnit.SECONDS)).as("all racers started").isTrue();
        go.countDown();
        List<T> results = new ArrayList<>();
        for (Future<T> f : futures) results.add(f.get(30, TimeUnit.SECONDS));
        return results;
    }
}
