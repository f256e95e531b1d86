package dev.ferry.core.pools;

import static dev.ferry.core.testing.Fixtures.T0;
import static dev.ferry.core.testing.Fixtures.applied;
import static dev.ferry.core.testing.Fixtures.pool;
import static dev.ferry.core.testing.Fixtures.queue;
import static dev.ferry.core.testing.Fixtures.worker;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.common.Write;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link PoolStore} adapter must do: pools, their queues, workers and polls. An
 * adapter's test subclasses this and supplies {@link #newPools()}; nothing else.
 */
public abstract class PoolStoreContract {

    /** A fresh, empty store. Called once per test. */
    protected abstract PoolStore newPools();

    protected PoolStore store;

    @BeforeEach
    void freshStore() {
        store = newPools();
    }

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

    /** A stored pool with its default queue. */
    protected WorkPool createdPool(String name) {
        WorkPool pool = pool(name);
        assertThat(store.createPool(pool, queue(pool, WorkPool.DEFAULT_QUEUE, 1))).isTrue();
        return pool;
    }
}
