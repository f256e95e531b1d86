package dev.ferry.core.ecs;

import dev.ferry.core.runs.TaskLogs;

/** The services of {@code ecs} pools, wired when a {@link Launcher} is given. */
public record Ecs(EcsDispatcher dispatcher, TaskObserver observer, EcsReconciler reconciler) {

    /**
     * What the ECS side needs from its host.
     *
     * @param apiUrl what tasks get as {@code FERRY_API_URL} to report back (the stack's ApiUrl)
     */
    public record Settings(Launcher launcher, TaskLogs logs, String apiUrl, Pause pause) {
        public Settings {
            if (logs == null) logs = TaskLogs.NONE;
            if (pause == null) pause = Pause.REAL;
        }
    }
}
