package dev.ferry.core.deployments;

import dev.ferry.core.common.Page;
import dev.ferry.core.common.Write;
import dev.ferry.core.schedules.Schedule;
import java.time.Instant;
import java.util.Optional;

/**
 * Where deployments are kept, unique by (flow name, name). Every method is atomic on its own.
 *
 * <p>Records that can be updated carry a store-kept revision. A create stores the record as given
 * (revision 1); every update and delete names the revision it was based on, and the store writes
 * only if it still holds that one, then stores revision + 1. A stale write changes nothing and
 * returns what is stored now, so no acknowledged change is ever overwritten by one that did not see it.
 */
public interface DeploymentStore {

    /** Inserts the deployment; false (and nothing written) when its flow name and name are taken. */
    boolean createDeployment(Deployment deployment);

    Optional<Deployment> deployment(String id);

    Optional<Deployment> deployment(String flowName, String name);

    /** Deployments ordered by flow name then name; {@code workPoolName} null for all. */
    Page<Deployment> deployments(String workPoolName, int limit, String cursor);

    /**
     * Deployments whose {@link #healAt} lies in {@code (after, until]}, in no promised order (a
     * deployment may show on two pages when it was written between them). Served by an index of
     * those with a value only, so the janitor's heal reads what was written or whose pause ended
     * since its last pass, not every deployment.
     */
    Page<Deployment> toHeal(Instant after, Instant until, int limit, String cursor);

    /**
     * When the deployment, as written, next needs the scheduler's heal to look at it; null for never
     * (until it is written again). A paused one: when its pause ends by itself (or, if written later,
     * at once). An active one with active schedules: at once, since the writer may have died before
     * arming its schedules; from then on each schedule's cursor says when its next firing is
     * overdue ({@code ScheduleCursors.expected}). Anything else has nothing to heal.
     */
    static Instant healAt(Deployment d) {
        Instant written = d.updated() != null ? d.updated() : d.created();
        if (d.paused()) {
            if (d.resumeAt() == null) return null;
            return written != null && written.isAfter(d.resumeAt()) ? written : d.resumeAt();
        }
        return d.schedules().stream().anyMatch(Schedule::active) ? written : null;
    }

    /** Replaces the deployment with the same id if it still has {@code next.revision()}. */
    Write<Deployment> updateDeployment(Deployment next);

    /** Deletes the deployment if it is still as {@code seen} (same revision); applied, it returns {@code seen}. */
    Write<Deployment> deleteDeployment(Deployment seen);
}
