package dev.ferry.core.runs;

import dev.ferry.core.deployments.DeploymentStore;
import dev.ferry.core.deployments.InMemoryDeployments;

class InMemoryRunsTest extends RunStoreContract {
    @Override
    protected RunStore newRuns() {
        return new InMemoryRuns();
    }

    @Override
    protected DeploymentStore newDeployments() {
        return new InMemoryDeployments();
    }
}
