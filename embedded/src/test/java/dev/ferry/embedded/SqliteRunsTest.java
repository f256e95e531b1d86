package dev.ferry.embedded;

import dev.ferry.core.deployments.DeploymentStore;
import dev.ferry.core.events.EventStore;
import dev.ferry.core.runs.RunStore;
import dev.ferry.core.runs.RunStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class SqliteRunsTest extends RunStoreContract {
    @RegisterExtension
    final FreshDatabase db = new FreshDatabase();

    @Override
    protected RunStore newRuns() {
        return new SqliteRuns(db.get());
    }

    @Override
    protected EventStore events() {
        return new SqliteEvents(db.get());
    }

    @Override
    protected DeploymentStore newDeployments() {
        return new SqliteDeployments(db.get());
    }
}
