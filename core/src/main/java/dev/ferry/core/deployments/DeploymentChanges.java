package dev.ferry.core.deployments;

/**
 * What must follow every stored change of a deployment: its schedules' firings armed or disarmed
 * to match what the write stored ({@code Scheduler.sync}), and the change's event. Called only
 * after the write succeeded, with the record it replaced.
 */
@FunctionalInterface
public interface DeploymentChanges {
    /** @param before what the write replaced, null when new; @param after what it stored, null when deleted */
    void stored(Deployment before, Deployment after);
}
