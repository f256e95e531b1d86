package dev.ferry.core.pools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.pools.WorkQueues.Message;
import dev.ferry.core.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link WorkQueues} adapter must do. An adapter's test subclasses this and builds
 * the adapter on {@link #clock} in {@link #newQueues()}. Each test starts with the queues of
 * {@link #QUEUE_IDS} provisioned through {@link WorkQueues#provision}.
 *
 * <p>Time is the test's to move: {@link #advance(Duration)} moves {@link #clock}. An adapter
 * whose backend keeps its own time (SQS) overrides it to let real time pass as well, which is
 * why every step here is a few seconds at most.
 */
public abstract class WorkQueuesContract {

    protected static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    /** The work queues the tests use; provisioned before each test. */
    protected static final List<String> QUEUE_IDS = List.of("q1", "q2");
    /** Short, and whole seconds: a backend on real time (SQS) must let it pass for real. */
    protected static final Duration VISIBILITY = Duration.ofSeconds(3);
    /** How long a woken await may take to return; the real target (create-to-claim p50) is far below. */
    private static final Duration PROMPTLY = Duration.ofMillis(500);

    /** The clock the adapter must use; it only moves when the test says so. */
    protected final TestClock clock = TestClock.fixed(T0);

    /** A fresh adapter with no messages, reading time from {@link #clock}. Called once per test. */
    protected abstract WorkQueues newQueues();

    protected void advance(Duration by) {
        clock.advance(by);
    }

    protected WorkQueues queues;
    private Waiter waiter;

    @BeforeEach
    void freshQueues() {
        queues = newQueues();
        for (String id : QUEUE_IDS) queues.provision(workQueue(id));
    }

    /** A work queue record for {@code id}, as the pool service would provision it. */
    protected static WorkQueue workQueue(String id) {
        return new WorkQueue(id, "pool-1", "my-pool", "queue-" + id, null, 1, null, false, null, T0, T0, 1);
    }

    @AfterEach
    void stopWaiter() {
        if (waiter != null) waiter.thread.interrupt();
    }

    @Test
    void receive_returnsASentMessage() {
        queues.send("q1", "run-1", clock.now());

        List<Message> got = queues.receive("q1", 10, VISIBILITY);

        assertThat(got).hasSize(1);
        assertThat(got.get(0).queueId()).isEqualTo("q1");
        assertThat(got.get(0).runId()).isEqualTo("run-1");
        assertThat(got.get(0).receipt()).isNotBlank();
    }

    @Test
    void receive_returnsNothing_fromAnEmptyQueue() {
        assertThat(queues.receive("q1", 10, VISIBILITY)).isEmpty();
    }

    @Test
    void receive_onlyReturnsMessagesOfItsQueue() {
        queues.send("q1", "run-1", clock.now());

        assertThat(queues.receive("q2", 10, VISIBILITY)).isEmpty();
        assertThat(queues.receive("q1", 10, VISIBILITY)).extracting(Message::runId).containsExactly("run-1");
    }

    @Test
    void receive_doesNotSeeAMessage_untilItsVisibleAt() {
        queues.send("q1", "run-1", clock.now().plusSeconds(2));

        assertThat(queues.receive("q1", 10, VISIBILITY)).isEmpty();
        advance(Duration.ofSeconds(1));
        assertThat(queues.receive("q1", 10, VISIBILITY)).isEmpty();
        advance(Duration.ofSeconds(1));
        assertThat(queues.receive("q1", 10, VISIBILITY)).extracting(Message::runId).containsExactly("run-1");
    }

    @Test
    void receive_hidesWhatItReturns_untilTheVisibilityRunsOut() {
        queues.send("q1", "run-1", clock.now());
        Message first = queues.receive("q1", 10, VISIBILITY).get(0);

        assertThat(queues.receive("q1", 10, VISIBILITY)).isEmpty();
        advance(VISIBILITY.minusSeconds(1));
        assertThat(queues.receive("q1", 10, VISIBILITY)).isEmpty();
        advance(Duration.ofSeconds(1));

        List<Message> again = queues.receive("q1", 10, VISIBILITY);
        assertThat(again).extracting(Message::runId).containsExactly("run-1");
        assertThat(again.get(0).receipt()).isNotEqualTo(first.receipt());
    }

    @Test
    void receive_takesAtMostMax() {
        for (int i = 0; i < 5; i++) queues.send("q1", "run-" + i, clock.now());

        assertThat(queues.receive("q1", 2, VISIBILITY)).hasSize(2);
        assertThat(queues.receive("q1", 2, VISIBILITY)).hasSize(2);
        assertThat(queues.receive("q1", 2, VISIBILITY)).hasSize(1);
        assertThat(queues.receive("q1", 2, VISIBILITY)).isEmpty();
    }

    /** Protected: SQS standard queues keep no order, so the SQS adapter's test overrides it. */
    @Test
    protected void receive_returnsTheEarliestVisibleFirst() {
        queues.send("q1", "run-late", clock.now().minusSeconds(1));
        queues.send("q1", "run-early", clock.now().minusSeconds(3));
        queues.send("q1", "run-middle", clock.now().minusSeconds(2));
        queues.send("q1", "run-future", clock.now().plusSeconds(60));

        assertThat(queues.receive("q1", 1, VISIBILITY)).extracting(Message::runId).containsExactly("run-early");
        assertThat(queues.receive("q1", 10, VISIBILITY)).extracting(Message::runId)
                .containsExactly("run-middle", "run-late");
    }

    @Test
    void delete_forgetsTheMessage() {
        queues.send("q1", "run-1", clock.now());
        Message m = queues.receive("q1", 10, VISIBILITY).get(0);

        queues.delete(m);

        advance(VISIBILITY.plusSeconds(1));
        assertThat(queues.receive("q1", 10, VISIBILITY)).isEmpty();
    }

    @Test
    void delete_leavesOtherMessagesAlone() {
        queues.send("q1", "run-1", clock.now());
        queues.send("q1", "run-2", clock.now().plusSeconds(1));
        Message m = queues.receive("q1", 1, VISIBILITY).get(0);

        queues.delete(m);

        advance(Duration.ofSeconds(1));
        assertThat(queues.receive("q1", 10, VISIBILITY)).extracting(Message::runId).containsExactly("run-2");
    }

    @Test
    void delete_andRelease_ofAMessageAlreadyDeleted_areHarmless() {
        queues.send("q1", "run-1", clock.now());
        Message m = queues.receive("q1", 10, VISIBILITY).get(0);
        queues.delete(m);

        queues.delete(m);
        queues.release(m, Duration.ZERO);

        assertThat(queues.receive("q1", 10, VISIBILITY)).isEmpty();
    }

    @Test
    void release_makesTheMessageVisibleAgain_afterTheDelay() {
        queues.send("q1", "run-1", clock.now());
        Message m = queues.receive("q1", 10, VISIBILITY).get(0);

        queues.release(m, Duration.ofSeconds(2));

        assertThat(queues.receive("q1", 10, VISIBILITY)).isEmpty();
        advance(Duration.ofSeconds(2));
        assertThat(queues.receive("q1", 10, VISIBILITY)).extracting(Message::runId).containsExactly("run-1");
    }

    @Test
    void release_withNoDelay_makesTheMessageVisibleAtOnce() {
        queues.send("q1", "run-1", clock.now());
        Message m = queues.receive("q1", 10, VISIBILITY).get(0);

        queues.release(m, Duration.ZERO);

        assertThat(queues.receive("q1", 10, VISIBILITY)).extracting(Message::runId).containsExactly("run-1");
    }

    @Test
    void send_furtherAheadThanTheQueuesCanDelay_isNeverDeliveredEarly() {
        Duration limit = queues.maxDelay().orElse(Duration.ofDays(365));
        queues.send("q1", "run-far", clock.now().plus(limit).plus(Duration.ofHours(1)));
        queues.send("q1", "run-now", clock.now());

        assertThat(queues.receive("q1", 10, VISIBILITY)).extracting(Message::runId).containsExactly("run-now");
    }

    @Test
    void send_ofTheSameRunTwice_keepsOneMessage() {
        queues.send("q1", "run-1", clock.now());
        queues.send("q1", "run-1", clock.now());

        assertThat(queues.receive("q1", 10, VISIBILITY)).hasSize(1);
        advance(VISIBILITY);
        assertThat(queues.receive("q1", 10, VISIBILITY)).hasSize(1);
    }

    @Test
    void send_ofTheSameRunToAnotherQueue_isAnotherMessage() {
        queues.send("q1", "run-1", clock.now());
        queues.send("q2", "run-1", clock.now());

        assertThat(queues.receive("q1", 10, VISIBILITY)).hasSize(1);
        assertThat(queues.receive("q2", 10, VISIBILITY)).hasSize(1);
    }

    @Test
    void send_again_neverPostponesADueRun() {
        queues.send("q1", "run-1", clock.now());
        queues.send("q1", "run-1", clock.now().plusSeconds(3600));

        assertThat(queues.receive("q1", 10, VISIBILITY)).extracting(Message::runId).containsExactly("run-1");
    }

    @Test
    void send_again_withAnEarlierTime_bringsTheRunForward() {
        queues.send("q1", "run-1", clock.now().plusSeconds(3600));
        queues.send("q1", "run-1", clock.now());

        assertThat(queues.receive("q1", 10, VISIBILITY)).extracting(Message::runId).containsExactly("run-1");
    }

    @Test
    void purge_removesEveryMessageOfTheQueue_andOnlyThose() {
        queues.send("q1", "run-1", clock.now());
        queues.send("q1", "run-2", clock.now().plusSeconds(2));
        queues.send("q1", "run-3", clock.now());
        queues.receive("q1", 1, VISIBILITY);
        queues.send("q2", "run-4", clock.now());

        queues.purge("q1");

        advance(VISIBILITY); // every message of q1, delayed or received, would be visible by now
        assertThat(queues.receive("q1", 10, VISIBILITY)).isEmpty();
        assertThat(queues.receive("q2", 10, VISIBILITY)).extracting(Message::runId).containsExactly("run-4");
    }

    @Test
    void purge_again_orOfAQueueNeverProvisioned_isHarmless() {
        queues.purge("q1");
        queues.purge("q1");
        queues.purge("never-provisioned");

        assertThat(queues.receive("q1", 10, VISIBILITY)).isEmpty();
    }

    @Test
    void provision_again_isHarmless_andKeepsTheMessages() {
        queues.send("q1", "run-1", clock.now());

        queues.provision(workQueue("q1"));

        assertThat(queues.receive("q1", 10, VISIBILITY)).extracting(Message::runId).containsExactly("run-1");
    }

    @Test
    void release_overAndOver_neverLosesTheMessage() {
        // A run waiting on a full concurrency limit is received and released every few seconds for as
        // long as the limit stays full (on SQS: far more often than the dead-letter queue's limit).
        queues.send("q1", "run-1", clock.now());

        for (int i = 0; i < 8; i++) {
            List<Message> got = queues.receive("q1", 10, VISIBILITY);
            assertThat(got).as("receive %d", i + 1).extracting(Message::runId).containsExactly("run-1");
            queues.release(got.get(0), Duration.ZERO);
        }
        assertThat(queues.receive("q1", 10, VISIBILITY)).extracting(Message::runId).containsExactly("run-1");
    }

    @Test
    void await_returnsAtOnce_whenAMessageIsAlreadyVisible() {
        queues.send("q1", "run-1", clock.now());

        Waiter w = startAwait(List.of("q2", "q1"), clock.now().plusSeconds(60));

        w.assertReturnsWithin(PROMPTLY);
    }

    @Test
    void await_returnsPromptly_whenAnotherThreadSendsToAnAwaitedQueue() {
        Waiter w = startAwait(List.of("q1", "q2"), clock.now().plusSeconds(60));
        w.assertIsWaiting();

        queues.send("q2", "run-1", clock.now());

        w.assertReturnsWithin(PROMPTLY);
        assertThat(queues.receive("q2", 10, VISIBILITY)).extracting(Message::runId).containsExactly("run-1");
    }

    @Test
    void await_returnsPromptly_whenAMessageIsReleasedOnAnAwaitedQueue() {
        queues.send("q1", "run-1", clock.now());
        Message m = queues.receive("q1", 1, VISIBILITY).get(0);
        Waiter w = startAwait(List.of("q1"), clock.now().plusSeconds(60));
        w.assertIsWaiting();

        queues.release(m, Duration.ZERO);

        w.assertReturnsWithin(PROMPTLY);
    }

    @Test
    void await_returns_whenADelayedMessageFallsDue() {
        queues.send("q1", "run-1", clock.now().plusSeconds(2));
        Waiter w = startAwait(List.of("q1"), clock.now().plusSeconds(60));
        w.assertIsWaiting();

        advance(Duration.ofSeconds(2));

        w.assertReturnsWithin(PROMPTLY);
        assertThat(queues.receive("q1", 10, VISIBILITY)).extracting(Message::runId).containsExactly("run-1");
    }

    @Test
    void await_returnsAtTheDeadline_whenNothingArrives() {
        Waiter w = startAwait(List.of("q1"), clock.now().plusSeconds(2));
        w.assertIsWaiting();

        advance(Duration.ofSeconds(2));

        w.assertReturnsWithin(PROMPTLY);
    }

    @Test
    void receive_afterAnAwait_handsTheMessageOutOnce() throws InterruptedException {
        queues.send("q1", "run-1", clock.now());

        queues.await(List.of("q1"), clock.now().plusSeconds(60));

        assertThat(queues.receive("q1", 10, VISIBILITY)).extracting(Message::runId).containsExactly("run-1");
        assertThat(queues.receive("q1", 10, VISIBILITY)).isEmpty();
    }

    @Test
    void await_returnsAtOnce_whenTheDeadlineHasPassed() {
        Waiter w = startAwait(List.of("q1"), clock.now().minusSeconds(1));

        w.assertReturnsWithin(PROMPTLY);
    }

    // ------------------------------------------------------------------ helpers

    private Waiter startAwait(List<String> queueIds, Instant deadline) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                queues.await(queueIds, deadline);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "await-" + queueIds);
        t.setDaemon(true);
        waiter = new Waiter(t, failure);
        t.start();
        return waiter;
    }

    private record Waiter(Thread thread, AtomicReference<Throwable> failure) {

        /** Still blocked after a while: it did not return early by mistake. */
        void assertIsWaiting() {
            Awaitility.await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2))
                    .until(thread::isAlive);
        }

        void assertReturnsWithin(Duration limit) {
            Awaitility.await().atMost(limit).pollInterval(Duration.ofMillis(5)).until(() -> !thread.isAlive());
            assertThat(failure.get()).isNull();
        }
    }
}
