package dev.ferry.core.scheduler;

/** The behaviour suites' timer keeps pending firings as the real timers do. */
class ManualTimerTest extends ScheduleTimerContract {
    @Override
    protected ScheduleTimer newTimer() {
        return new ManualTimer();
    }
}
