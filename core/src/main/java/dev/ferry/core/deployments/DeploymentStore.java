package dev.ferry.core.deployments;

import dev.ferry.core.common.Page;
import dev.ferry.core.common.Write;
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

    /** Replaces the deployment with the same id if it still has {@code next.revision()}. */
    Write<Deployment> updateDeployment(Deployment next);

    /** Deletes the deployment if it is still as {@code seen} (same revision); applied, it returns {@code seen}. */
    Write<Deployment> deleteDeployment(Deployment seen);
}
