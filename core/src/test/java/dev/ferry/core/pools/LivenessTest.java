package dev.ferry.core.pools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Ids;
import dev.ferry.core.common.Write;
import dev.ferry.core.events.Event;
import dev.ferry.core.events.EventSink;
import dev.ferry.core.events.InMemoryEvents;
import dev.ferry.core.testing.Fixtures;
import dev.ferry.core.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** Status events of queues, pools and workers: each transition once, from polls, heartbeats, edits and the janitor's sweep. */
class LivenessTest {
    private final TestClock clock = TestClock.fixed(Fixtures.T0);
    private final InMemoryPools store = new InMemoryPools();
    private final InMemoryEvents stored = new InMemoryEvents();
    /** Every publish, the ones the store drops as copies too: what a sweep writes. */
    private final List<Event> published = Collections.synchronizedList(new ArrayList<>());
    private final EventSink sink = event -> {
        published.add(event);
        stored.append(event.receivedAt(clock.now()));
    };
    private final PoolService pools = new PoolService(store, (pool, queue) -> 0, new InMemoryWorkQueues(clock), clock,
            Ids.RANDOM, sink);
    private final Liveness janitor = new Liveness(store, sink, clock);

    // --- queues ---

    @Test
    void aQueuesFirstPoll_makesItReady_relatedToItsPool_andTheNextPollsMakeNothing() {
        WorkPool pool = pools.create(newPool("p"));

        poll(pool);
        clock.advance(Duration.ofSeconds(5));
        poll(pool);

        assertThat(names()).containsExactly("ferry.work-queue.ready");
        Event ready = stored().get(0);
        WorkQueue queue = pools.queue("p", "default");
        assertThat(ready.resource().id()).isEqualTo("ferry.work-queue." + queue.id());
        assertThat(ready.resource().name()).isEqualTo("default");
        assertThat(ready.occurred()).isEqualTo(Fixtures.T0);
        assertThat(ready.related("work-pool")).singleElement().satisfies(r -> {
            assertThat(r.id()).isEqualTo("ferry.work-pool." + pool.id());
            assertThat(r.name()).isEqualTo("p");
            assertThat(r.labels()).containsEntry(PoolEvents.POOL_TYPE, "process");
        });
    }

    @Test
    void twoPollersThatReadTheSamePreviousPoll_makeOneReadyEvent() {
        WorkPool pool = pools.create(newPool("p"));
        List<WorkQueue> readByA = store.queues(pool.id());
        List<WorkQueue> readByB = store.queues(pool.id());

        pools.polled(pool, readByA, q -> true);
        clock.advance(Duration.ofMillis(3));
        pools.polled(pool, readByB, q -> true);

        assertThat(published).hasSize(2);
        assertThat(published.get(0).id()).isEqualTo(published.get(1).id());
        assertThat(names()).containsExactly("ferry.work-queue.ready");
    }

    @Test
    void aPollerInALongPoll_comparesWithItsOwnPoll_notWithWhatItReadFirst() {
        WorkPool pool = pools.create(newPool("p"));
        List<WorkQueue> queues = store.queues(pool.id());

        queues = pools.polled(pool, queues, q -> true);
        clock.advance(Duration.ofSeconds(5));
        pools.polled(pool, queues, q -> true);

        assertThat(published).as("the second look knows the first poll").hasSize(1);
    }

    @Test
    void aPollAfterTheLastOneExpired_endsTheNotReadyFirst_underTheIdTheSweepUses() {
        WorkPool pool = pools.create(newPool("p"));
        poll(pool);
        clock.advance(Duration.ofSeconds(61));
        janitor.sweep();
        clock.advance(Duration.ofSeconds(20));

        poll(pool);

        assertThat(names()).containsExactly("ferry.work-queue.ready", "ferry.work-queue.not-ready", "ferry.work-queue.ready");
        Event notReady = stored().get(1);
        assertThat(notReady.occurred()).isEqualTo(Fixtures.T0.plus(WorkQueue.READINESS_WINDOW));
        assertThat(published.stream().filter(e -> e.id().equals(notReady.id()))).as("the poll sent it again; the store kept one")
                .hasSize(2);
    }

    @Test
    void aPollAfterAnExpiryNoSweepSaw_stillEmitsTheNotReady() {
        WorkPool pool = pools.create(newPool("p"));
        poll(pool);
        clock.advance(Duration.ofSeconds(90));

        poll(pool);

        assertThat(names()).containsExactly("ferry.work-queue.ready", "ferry.work-queue.not-ready", "ferry.work-queue.ready");
    }

    @Test
    void theSweep_emitsNotReady_whenTheLastPollExpired_andNothingMoreOnLaterSweeps() {
        WorkPool pool = pools.create(newPool("p"));
        poll(pool);
        clock.advance(WorkQueue.READINESS_WINDOW);
        assertThat(janitor.sweep().total()).as("still ready at the window's last instant").isZero();

        clock.advance(Duration.ofSeconds(1));
        Liveness.Sweep first = janitor.sweep();
        int afterFirst = published.size();
        clock.advance(Duration.ofSeconds(5));
        janitor.sweep();
        clock.advance(Duration.ofMinutes(1));
        janitor.sweep();
        clock.advance(Duration.ofMinutes(10));
        janitor.sweep();

        assertThat(first.queuesNotReady()).isEqualTo(1);
        assertThat(published).as("a steady state writes nothing").hasSize(afterFirst);
        assertThat(names()).containsExactly("ferry.work-queue.ready", "ferry.work-queue.not-ready");
        assertThat(stored().get(1).payload().path("last_polled").asText()).isEqualTo(Fixtures.T0.toString());
    }

    @Test
    void twoJanitorsSweepingTheSameExpiry_makeOneEvent() {
        WorkPool pool = pools.create(newPool("p"));
        poll(pool);
        clock.advance(Duration.ofSeconds(70));

        janitor.sweep();
        new Liveness(store, sink, clock).sweep();

        assertThat(names()).containsExactly("ferry.work-queue.ready", "ferry.work-queue.not-ready");
    }

    @Test
    void anExpiryOlderThanTheLookback_isNotEmittedBySweeps() {
        WorkPool pool = pools.create(newPool("p"));
        poll(pool);
        clock.advance(WorkQueue.READINESS_WINDOW.plus(Liveness.LOOKBACK).plusSeconds(1));

        assertThat(janitor.sweep().total()).isZero();
        assertThat(names()).containsExactly("ferry.work-queue.ready");
    }

    @Test
    void aPausedQueue_turnsNeitherReadyNorNotReady_andItsPauseAndResumeAreEvents() {
        WorkPool pool = pools.create(newPool("p"));
        WorkQueue paused = pools.updateQueue("p", "default", pause(true));
        poll(pool);
        clock.advance(Duration.ofSeconds(61));
        janitor.sweep();
        assertThat(names()).containsExactly("ferry.work-queue.paused");
        assertThat(stored().get(0).id()).as("from the revision the write stored")
                .isEqualTo(PoolEvents.queue(pool, paused, Readiness.PAUSED, PoolEvents.revision(paused.revision()),
                        clock.now(), null).id());

        pools.updateQueue("p", "default", pause(true));
        poll(pool);
        pools.updateQueue("p", "default", pause(false));

        assertThat(names()).as("paused again: no change; resumed just after a poll: READY")
                .containsExactly("ferry.work-queue.paused", "ferry.work-queue.ready");
    }

    @Test
    void aQueueResumedWithoutAPoll_isNotReady() {
        pools.create(newPool("p"));
        pools.updateQueue("p", "default", pause(true));

        pools.updateQueue("p", "default", pause(false));

        assertThat(names()).containsExactly("ferry.work-queue.paused", "ferry.work-queue.not-ready");
    }

    @Test
    void anEditThatFails_publishesNothing() {
        pools.create(newPool("p"));

        assertThatThrownBy(() -> pools.updateQueue("p", "nope", pause(true))).isInstanceOf(BadInput.class);
        assertThatThrownBy(() -> pools.updateQueue("p", "default", new PoolService.QueueChange(null, false, 0, null, false, true)))
                .isInstanceOf(BadInput.class);

        assertThat(published).isEmpty();
    }

    @Test
    void anEditThatLosesARace_publishesTheEventOfTheRevisionThatLanded() {
        WorkPool pool = pools.create(newPool("p"));
        WorkQueue read = store.queue(pool.id(), "default").orElseThrow();
        PoolStore racing = new RacingStore(store) {
            private boolean raced;

            @Override
            public Write<WorkQueue> updateQueue(WorkQueue next) {
                if (!raced) {
                    raced = true;
                    store.updateQueue(read.with("edited meanwhile", 1, null, false, clock.now())); // someone else's edit lands first
                }
                return store.updateQueue(next);
            }
        };
        PoolService service = new PoolService(racing, (p, q) -> 0, new InMemoryWorkQueues(clock), clock, Ids.RANDOM, sink);

        WorkQueue after = service.updateQueue("p", "default", pause(true));

        assertThat(after.revision()).isEqualTo(3);
        assertThat(after.description()).isEqualTo("edited meanwhile");
        assertThat(stored()).singleElement().satisfies(e -> assertThat(e.id()).isEqualTo(
                PoolEvents.queue(pool, after, Readiness.PAUSED, PoolEvents.revision(3), clock.now(), null).id()));
    }

    // --- workers and pools ---

    @Test
    void aWorkersFirstHeartbeat_makesItOnline_andItsPoolReady() {
        WorkPool pool = pools.create(newPool("p"));

        pools.heartbeat("p", "w1", null);
        clock.advance(Duration.ofSeconds(30));
        pools.heartbeat("p", "w1", null);

        assertThat(names()).containsExactlyInAnyOrder("ferry.worker.online", "ferry.work-pool.ready");
        Event online = event("ferry.worker.online");
        assertThat(online.resource().id()).isEqualTo("ferry.worker." + pool.id() + ".w1");
        assertThat(online.resource().name()).isEqualTo("w1");
        assertThat(online.related("work-pool")).singleElement().satisfies(r -> assertThat(r.name()).isEqualTo("p"));
        Event ready = event("ferry.work-pool.ready");
        assertThat(ready.resource().id()).isEqualTo("ferry.work-pool." + pool.id());
        assertThat(ready.resource().labels()).containsEntry(PoolEvents.POOL_TYPE, "process");
    }

    @Test
    void missingThreeHeartbeats_makesTheWorkerOfflineAndItsPoolNotReady_inTheSweep() {
        pools.create(newPool("p"));
        pools.heartbeat("p", "w1", 10);
        clock.advance(Duration.ofSeconds(30));
        assertThat(janitor.sweep().total()).as("30 s: three heartbeats of 10 s, not yet missed").isZero();

        clock.advance(Duration.ofSeconds(1));
        Liveness.Sweep sweep = janitor.sweep();
        int afterFirst = published.size();
        clock.advance(Duration.ofSeconds(60));
        janitor.sweep();

        assertThat(sweep.workersOffline()).isEqualTo(1);
        assertThat(sweep.poolsNotReady()).isEqualTo(1);
        assertThat(published).hasSize(afterFirst);
        assertThat(event("ferry.worker.offline").occurred()).isEqualTo(Fixtures.T0.plusSeconds(30));
        assertThat(event("ferry.work-pool.not-ready").occurred()).isEqualTo(Fixtures.T0.plusSeconds(30));
    }

    @Test
    void aPoolWithAnotherWorkerOnline_staysReady_whenOneGoesOffline() {
        pools.create(newPool("p"));
        pools.heartbeat("p", "w1", null);
        clock.advance(Duration.ofSeconds(60));
        pools.heartbeat("p", "w2", null);
        clock.advance(Duration.ofSeconds(40));

        janitor.sweep();

        assertThat(names()).containsExactlyInAnyOrder("ferry.worker.online", "ferry.work-pool.ready", "ferry.worker.online",
                "ferry.worker.offline");
    }

    @Test
    void aWorkerBackAfterGoingOffline_isOnlineAgain_afterTheOfflineItEnds() {
        pools.create(newPool("p"));
        pools.heartbeat("p", "w1", null);
        clock.advance(Duration.ofSeconds(100));

        pools.heartbeat("p", "w1", null);

        assertThat(names()).containsExactly("ferry.worker.online", "ferry.work-pool.ready", "ferry.worker.offline",
                "ferry.worker.online", "ferry.work-pool.not-ready", "ferry.work-pool.ready");
    }

    @Test
    void twoWorkersComingOnlineTogether_makeOneReadyEventForTheirPool() throws Exception {
        pools.create(newPool("p"));
        CyclicBarrier bothRead = new CyclicBarrier(2);
        PoolStore racing = new RacingStore(store) {
            @Override
            public List<Worker> workers(String poolId) {
                List<Worker> read = super.workers(poolId);
                try {
                    bothRead.await(5, TimeUnit.SECONDS); // neither saves its heartbeat before both read the workers
                } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
                    throw new IllegalStateException(e);
                }
                return read;
            }
        };
        PoolService service = new PoolService(racing, (p, q) -> 0, new InMemoryWorkQueues(clock), clock, Ids.RANDOM, sink);

        Fixtures.race(List.of(() -> service.heartbeat("p", "w1", null), () -> service.heartbeat("p", "w2", null)));

        assertThat(published.stream().filter(e -> e.event().equals("ferry.work-pool.ready"))).hasSize(2);
        assertThat(names()).containsExactlyInAnyOrder("ferry.worker.online", "ferry.worker.online", "ferry.work-pool.ready");
    }

    @Test
    void aPausedPool_turnsNeitherReadyNorNotReady_andResumingItSaysWhichItIs() {
        pools.create(newPool("p"));
        pools.update("p", new PoolService.PoolChange(null, false, null, false, true, null));
        pools.heartbeat("p", "w1", null);
        clock.advance(Duration.ofSeconds(100));
        janitor.sweep();
        assertThat(names()).containsExactly("ferry.work-pool.paused", "ferry.worker.online", "ferry.worker.offline");

        pools.heartbeat("p", "w1", null);
        pools.update("p", new PoolService.PoolChange("a description", true, null, false, null, null));
        pools.update("p", new PoolService.PoolChange(null, false, null, false, false, null));

        assertThat(names()).as("an edit that leaves the pause: no event; resumed with a worker online: READY").endsWith(
                "ferry.worker.online", "ferry.work-pool.ready");
        assertThat(names()).hasSize(5);
    }

    // --- helpers ---

    private void poll(WorkPool pool) {
        pools.polled(pool, store.queues(pool.id()), q -> true);
    }

    private static PoolService.NewPool newPool(String name) {
        return new PoolService.NewPool(name, PoolType.PROCESS, null, null, null, null);
    }

    private static PoolService.QueueChange pause(boolean paused) {
        return new PoolService.QueueChange(null, false, null, null, false, paused);
    }

    /** What the store kept, in the order it was stored. */
    private List<Event> stored() {
        List<Event> kept = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        synchronized (published) {
            for (Event e : published) {
                if (!seen.contains(e.id())) {
                    seen.add(e.id());
                    kept.add(e);
                }
            }
        }
        return kept;
    }

    private List<String> names() {
        return stored().stream().map(Event::event).toList();
    }

    private Event event(String name) {
        return stored().stream().filter(e -> e.event().equals(name)).findFirst().orElseThrow();
    }

    /** A pool store that forwards to another, for tests that force an interleaving in one call. */
    private static class RacingStore implements PoolStore {
        private final PoolStore inner;

        RacingStore(PoolStore inner) {
            this.inner = inner;
        }

        @Override public boolean createPool(WorkPool pool, WorkQueue defaultQueue) { return inner.createPool(pool, defaultQueue); }
        @Override public Optional<WorkPool> pool(String name) { return inner.pool(name); }
        @Override public List<WorkPool> pools() { return inner.pools(); }
        @Override public Write<WorkPool> updatePool(WorkPool next) { return inner.updatePool(next); }
        @Override public void deletePool(String poolId) { inner.deletePool(poolId); }
        @Override public boolean createQueue(WorkQueue queue) { return inner.createQueue(queue); }
        @Override public Optional<WorkQueue> queue(String poolId, String name) { return inner.queue(poolId, name); }
        @Override public List<WorkQueue> queues(String poolId) { return inner.queues(poolId); }
        @Override public Write<WorkQueue> updateQueue(WorkQueue next) { return inner.updateQueue(next); }
        @Override public void deleteQueue(String queueId) { inner.deleteQueue(queueId); }
        @Override public void markPolled(List<String> queueIds, Instant at) { inner.markPolled(queueIds, at); }
        @Override public void saveWorker(Worker worker) { inner.saveWorker(worker); }
        @Override public List<Worker> workers(String poolId) { return inner.workers(poolId); }
    }
}
