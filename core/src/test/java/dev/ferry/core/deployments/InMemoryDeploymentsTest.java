package dev.ferry.core.deployments;

class InMemoryDeploymentsTest extends DeploymentStoreContract {
    @Override
    protected DeploymentStore newDeployments() {
        return new InMemoryDeployments();
    }
}
