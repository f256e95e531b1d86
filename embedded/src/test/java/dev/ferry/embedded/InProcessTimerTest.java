package dev.ferry.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.common.Clock;
import dev.ferry.core.scheduler.ScheduleTimer;
import dev.ferry.core.scheduler.ScheduleTimerContract;
import dev.ferry.core.schedules.Firing;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Pending firings as every timer keeps them (the contract), and when this one delivers them. */
class InProcessTimerTest extends ScheduleTimerContract {
    private final InProcessTimer timer = new InProcessTimer(Clock.SYSTEM);

    @Override
    protected ScheduleTimer newTimer() {
        return timer; // not started: it delivers nothing
    }
    private final List<Firing> fired = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        timer.close();
    }

    @Test
    void firesEachPendingFiringOnce_whenItIsDue_andNotBefore() {
        Instant now = Instant.now();
        Firing later = new Firing("d", "later", now.plusMillis(600));
        Firing sooner = new Firing("d", "sooner", now.plusMillis(200));
        timer.start(fired::add);
        timer.arm(later);
        timer.arm(sooner);

        await().atMost(Duration.ofSeconds(5)).until(() -> fired.size() == 2);
        assertThat(fired).containsExactly(sooner, later);
        assertThat(timer.armed()).isEmpty();
    }

    @Test
    void armingReplacesTheSchedulesPendingFiring_andDisarmingRemovesIt() {
        Instant now = Instant.now();
        timer.arm(new Firing("d", "a", now.plusSeconds(3600)));
        Firing replacement = new Firing("d", "a", now.plusMillis(100));
        timer.arm(new Firing("d", "b", now.plusMillis(100)));
        timer.arm(replacement);
        timer.disarm(new Firing("d", "b", now).timerKey());
        timer.start(fired::add);

        await().atMost(Duration.ofSeconds(5)).until(() -> !fired.isEmpty());
        assertThat(fired).containsExactly(replacement);
        assertThat(timer.armed()).isEmpty();
    }

    @Test
    void aFailedDelivery_isRetried_unlessTheScheduleWasArmedAgainMeanwhile() {
        AtomicInteger attempts = new AtomicInteger();
        timer.start(f -> {
            if (attempts.incrementAndGet() == 1) throw new IllegalStateException("database is locked");
            fired.add(f);
        });
        Firing due = new Firing("d", "a", Instant.now());
        timer.arm(due);

        await().atMost(InProcessTimer.RETRY_AFTER.plusSeconds(5)).until(() -> fired.size() == 1);
        assertThat(fired).containsExactly(due); // the same firing: same instant, same run
        assertThat(attempts.get()).isEqualTo(2);
    }
}
