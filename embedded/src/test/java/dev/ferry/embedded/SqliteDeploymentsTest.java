package dev.ferry.embedded;

import dev.ferry.core.deployments.DeploymentStore;
import dev.ferry.core.deployments.DeploymentStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class SqliteDeploymentsTest extends DeploymentStoreContract {
    @RegisterExtension
    final FreshDatabase db = new FreshDatabase();

    @Override
    protected DeploymentStore newDeployments() {
        return new SqliteDeployments(db.get());
    }
}
