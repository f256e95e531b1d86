package dev.ferry.core.runs;

import dev.ferry.core.deployments.DeploymentStore;
import dev.ferry.core.deployments.InMemoryDeployments;
import dev.ferry.core.events.EventStore;

class InMemoryRunsTest extends RunStoreContract {
    private InMemoryRuns runs;

    @Override
    protected RunStore newRuns() {
        runs = new InMemoryRuns();
        return runs;
    }

    @Override
    protected DeploymentStore newDeployments() {
        return new InMemoryDeployments();
    }

    @Override
    protected EventStore events() {
        return runs.events();
    }
}
