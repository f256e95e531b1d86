package dev.ferry.aws.dynamodb;

import static dev.ferry.aws.dynamodb.Table.failed;

import dev.ferry.core.common.Page;
import dev.ferry.core.common.Write;
import dev.ferry.core.deployments.Deployment;
import dev.ferry.core.deployments.DeploymentStore;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * {@link DeploymentStore} in Ferry's table. A deployment lives under its id (read on every
 * claim), with a pointer under its flow name and name that makes the pair unique. Lists come from
 * global secondary indexes, which are eventually consistent, and the documents of a page are then
 * read by key, so what a list returns is current.
 */
public final class DynamoDbDeployments implements DeploymentStore {
    private final Table table;

    public DynamoDbDeployments(DynamoDbClient client, String tableName) {
        this(new Table(client, tableName));
    }

    DynamoDbDeployments(Table table) {
        this.table = Objects.requireNonNull(table, "table");
    }

    @Override
    public boolean createDeployment(Deployment deployment) {
        List<CancellationReason> refused = table.transact(List.of(
                // two first deploys of one flow/name racing must not make two deployments
                table.put(Items.deploymentName(deployment), Expr.absent()),
                table.put(Items.deployment(deployment), Expr.absent())));
        if (refused == null) return true;
        if (failed(refused, 0)) {
            // A name pointing nowhere (left by a crash between the two deletes) is no deployment: clear it, try again.
            Optional<String> owner = table.get(Keys.deploymentName(deployment.flowName(), deployment.name()))
                    .map(item -> Items.string(item, Items.ID));
            if (owner.isEmpty() || deployment(owner.get()).isPresent()) return false;
            try {
                table.deleteItem(Keys.deploymentName(deployment.flowName(), deployment.name()), Expr.idIs(owner.get()));
            } catch (ConditionalCheckFailedException e) {
                return false; // taken again meanwhile
            }
            return createDeployment(deployment);
        }
        throw new IllegalStateException("deployment id " + deployment.id() + " is already in use; ids must be unique");
    }

    @Override
    public Optional<Deployment> deployment(String id) {
        return table.get(Keys.deployment(id)).map(item -> Items.revised(item, Deployment.class));
    }

    @Override
    public Optional<Deployment> deployment(String flowName, String name) {
        return table.get(Keys.deploymentName(flowName, name))
                .flatMap(pointer -> deployment(Items.string(pointer, Items.ID)))
                .filter(d -> d.flowName().equals(flowName) && d.name().equals(name));
    }

    @Override
    public Page<Deployment> deployments(String workPoolName, int limit, String cursor) {
        Table.checkLimit(limit);
        String after = cursor == null ? null : Cursors.decode(cursor, Cursors.DEPLOYMENTS, s -> s.contains(Keys.PAIR));
        String index = workPoolName == null ? Keys.KIND : Keys.POOL;
        String partition = workPoolName == null ? Keys.deploymentsKind() : Keys.deploymentsOfPool(workPoolName);
        List<Map<String, AttributeValue>> hits = table.queryIndex(index, partition, after, false, Expr.none(), limit + 1);
        List<Map<String, AttributeValue>> page = hits.subList(0, Math.min(limit, hits.size()));
        Map<String, Deployment> byKey = new HashMap<>();
        for (Map<String, AttributeValue> item : table.batches.get(page.stream().map(Table::tableKey).toList())) {
            Deployment d = Items.revised(item, Deployment.class);
            byKey.put(d.id(), d);
        }
        List<Deployment> items = page.stream()
                .map(hit -> byKey.get(Table.idOf(hit.get(Keys.PK).s())))
                // the index lags the table: drop what was deleted or moved to another pool meanwhile
                .filter(d -> d != null && (workPoolName == null || workPoolName.equals(d.workPoolName())))
                .toList();
        String next = hits.size() > limit ? Cursors.encode(Cursors.DEPLOYMENTS, page.get(limit - 1).get(Keys.sk(index)).s()) : null;
        return new Page<>(items, next);
    }

    @Override
    public Page<Deployment> toHeal(Instant after, Instant until, int limit, String cursor) {
        TimeIndex.Hits hits = TimeIndex.window(table, Keys.HEAL, Keys.deploymentsToHeal(), after, until, limit, cursor,
                Cursors.DEPLOYMENTS_TO_HEAL);
        Map<String, Deployment> byId = new HashMap<>();
        for (Map<String, AttributeValue> item : table.batches.get(hits.page().stream().map(Table::tableKey).toList())) {
            Deployment d = Items.revised(item, Deployment.class);
            byId.put(d.id(), d);
        }
        List<Deployment> items = hits.page().stream()
                .map(hit -> byId.get(Table.idOf(hit.get(Keys.PK).s())))
                // the index lags the table: drop what was deleted, or written with another time, meanwhile
                .filter(d -> {
                    Instant at = d == null ? null : DeploymentStore.healAt(d);
                    return at != null && at.isAfter(after) && !at.isAfter(until);
                })
                .toList();
        return new Page<>(items, hits.next());
    }

    @Override
    public Write<Deployment> updateDeployment(Deployment next) {
        Deployment stored = next.withRevision(next.revision() + 1);
        // an edit that did not see the latest one must not overwrite it, nor bring a deleted deployment back
        Expr current = Expr.revision(next.revision());
        return table.putRevision(Items.deployment(stored), current, stored, item -> Items.revised(item, Deployment.class));
    }

    @Override
    public Write<Deployment> deleteDeployment(Deployment seen) {
        Map<String, AttributeValue> name = Keys.deploymentName(seen.flowName(), seen.name());
        List<CancellationReason> refused = table.transact(List.of(
                // a delete that did not see the latest edit must not throw that edit away unseen
                table.delete(Keys.deployment(seen.id()), Expr.revision(seen.revision())),
                // another deployment that took the name meanwhile keeps it
                table.delete(name, Expr.idIs(seen.id()))));
        if (refused == null) return new Write.Applied<>(seen);
        if (failed(refused, 0)) return new Write.Stale<>(deployment(seen.id()).orElse(null));
        try {
            table.deleteItem(Keys.deployment(seen.id()), Expr.revision(seen.revision()));
            return new Write.Applied<>(seen);
        } catch (ConditionalCheckFailedException e) {
            return new Write.Stale<>(deployment(seen.id()).orElse(null));
        }
    }
}
