package dev.ferry.aws.dynamodb;

import static dev.ferry.core.testing.Fixtures.T0;
import static dev.ferry.core.testing.Fixtures.deployment;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.aws.testing.Emulator;
import dev.ferry.aws.testing.ThreadRacesOnMoto;
import dev.ferry.core.deployments.Deployment;
import dev.ferry.core.deployments.DeploymentStore;
import dev.ferry.core.deployments.DeploymentStoreContract;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * The DeploymentStore contract on DynamoDB in the emulator: a fresh account and table for every
 * test. As in {@link DynamoDbRunsIT}, the thread race is off on moto and runs forced instead.
 */
@ExtendWith({Emulator.class, ThreadRacesOnMoto.class})
class DynamoDbDeploymentsIT extends DeploymentStoreContract {
    private EmulatedTable table;

    @Override
    protected DeploymentStore newDeployments() {
        table = EmulatedTable.fresh();
        return new DynamoDbDeployments(table.client(), table.name());
    }

    @Test
    void createDeployment_makesOneDeployment_whenTwoFirstDeploysRace_forcedInterleaving() {
        Boolean[] results = new Boolean[8];
        for (int i = 1; i < 8; i++) {
            int k = i; // creator k - 1 is overtaken by creator k; the last one lands first
            table.client().beforeNextTransaction(() ->
                    results[k] = store.createDeployment(deployment("etl", "nightly", "pool-a")));
        }

        results[0] = store.createDeployment(deployment("etl", "nightly", "pool-a"));

        assertThat(results).containsExactly(false, false, false, false, false, false, false, true);
        assertThat(store.deployments(null, 10, null).items()).hasSize(1);
    }

    @Test
    void updateDeployment_sendsItsRevisionAsTheCondition() {
        Deployment d = created(deployment("etl", "nightly", "pool-a"));
        table.client().takeRequests();

        store.updateDeployment(d.paused("note", "ops", null, T0.plusSeconds(1)));

        PutItemRequest put = (PutItemRequest) table.client().takeRequests().get(0);
        assertThat(put.conditionExpression()).isEqualTo("#rev = :rev");
        assertThat(put.expressionAttributeNames()).isEqualTo(Map.of("#rev", "revision"));
        assertThat(put.expressionAttributeValues()).isEqualTo(Map.of(":rev", AttributeValue.fromN("1")));
        assertThat(put.item().get("revision")).isEqualTo(AttributeValue.fromN("2"));
        assertThat(put.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
    }
}
