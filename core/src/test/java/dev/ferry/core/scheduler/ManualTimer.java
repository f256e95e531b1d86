package dev.ferry.core.scheduler;

import dev.ferry.core.schedules.Firing;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A timer for tests: remembers what is armed; the test decides when firings are delivered. */
public final class ManualTimer implements ScheduleTimer {
    private final Map<String, Firing> armed = new ConcurrentHashMap<>();

    @Override
    public void arm(Firing firing) {
        armed.put(firing.timerKey(), firing);
    }

    @Override
    public void disarm(String timerKey) {
        armed.remove(timerKey);
    }

    @Override
    public Map<String, Instant> armed() {
        Map<String, Instant> out = new ConcurrentHashMap<>();
        armed.forEach((k, f) -> out.put(k, f.at()));
        return out;
    }

    public Optional<Firing> pending(String deploymentId, String slug) {
        return Optional.ofNullable(armed.get(Firing.timerKey(deploymentId, slug)));
    }

    public List<Firing> all() {
        List<Firing> out = new ArrayList<>(armed.values());
        out.sort(Comparator.comparing(Firing::at));
        return out;
    }

    /** Delivers every firing due at {@code now} (and those they arm that are due too), earliest first. */
    public List<Scheduler.Outcome> fireDue(Scheduler service, Instant now) {
        List<Scheduler.Outcome> outcomes = new ArrayList<>();
        for (int guard = 0; guard < 10_000; guard++) {
            Optional<Firing> due = all().stream().filter(f -> !f.at().isAfter(now)).findFirst();
            if (due.isEmpty()) return outcomes;
            outcomes.add(service.fire(due.get()));
        }
        throw new AssertionError("firings keep coming due");
    }
}
