package dev.ferry.core.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.schedules.Firing;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ScheduleTimer} must do with pending firings: one per schedule, replaced by the
 * next arm, gone when disarmed, and reported by {@link ScheduleTimer#armed()} as the janitor
 * reads it. When a firing is delivered is each timer's own test: these firings are far ahead.
 */
public abstract class ScheduleTimerContract {
    private static final Instant AHEAD = Instant.parse("2099-01-01T02:00:00Z");

    /** A timer with nothing armed, which delivers nothing during the test. */
    protected abstract ScheduleTimer newTimer();

    private ScheduleTimer timer;

    @BeforeEach
    void freshTimer() {
        timer = newTimer();
    }

    @Test
    void armed_isEmpty_beforeAnythingIsArmed() {
        assertThat(timer.armed()).isEmpty();
    }

    @Test
    void arm_makesTheFiringPending_underItsTimerKey() {
        Firing nightly = new Firing("dep-1", "nightly", AHEAD);

        timer.arm(nightly);

        assertThat(timer.armed()).containsExactly(Map.entry(nightly.timerKey(), AHEAD));
    }

    @Test
    void armingAgain_replacesTheSchedulesPendingFiring_andLeavesOtherSchedulesAlone() {
        Firing first = new Firing("dep-1", "nightly", AHEAD);
        Firing second = new Firing("dep-1", "nightly", AHEAD.plusSeconds(86_400));
        Firing otherSlug = new Firing("dep-1", "hourly", AHEAD.plusSeconds(3_600));
        Firing otherDeployment = new Firing("dep-2", "nightly", AHEAD);

        timer.arm(first);
        timer.arm(otherSlug);
        timer.arm(otherDeployment);
        timer.arm(second);

        assertThat(timer.armed()).containsOnly(Map.entry(second.timerKey(), second.at()),
                Map.entry(otherSlug.timerKey(), otherSlug.at()), Map.entry(otherDeployment.timerKey(), otherDeployment.at()));
    }

    @Test
    void armingTheSameFiringTwice_isHarmless() {
        Firing nightly = new Firing("dep-1", "nightly", AHEAD);

        timer.arm(nightly);
        timer.arm(nightly);

        assertThat(timer.armed()).containsExactly(Map.entry(nightly.timerKey(), AHEAD));
    }

    @Test
    void disarm_removesOnlyThatSchedulesFiring_andRepeatingItIsANoOp() {
        Firing nightly = new Firing("dep-1", "nightly", AHEAD);
        Firing hourly = new Firing("dep-1", "hourly", AHEAD);
        timer.arm(nightly);
        timer.arm(hourly);

        timer.disarm(nightly.timerKey());
        timer.disarm(nightly.timerKey());
        timer.disarm(Firing.timerKey("never-armed", "nightly"));

        assertThat(timer.armed()).containsExactly(Map.entry(hourly.timerKey(), AHEAD));
    }

    @Test
    void aDisarmedSchedule_canBeArmedAgain() {
        Firing nightly = new Firing("dep-1", "nightly", AHEAD);
        timer.arm(nightly);
        timer.disarm(nightly.timerKey());

        Firing again = new Firing("dep-1", "nightly", AHEAD.plusSeconds(60));
        timer.arm(again);

        assertThat(timer.armed()).containsExactly(Map.entry(again.timerKey(), again.at()));
    }
}
