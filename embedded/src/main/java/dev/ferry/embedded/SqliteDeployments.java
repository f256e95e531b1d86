package dev.ferry.embedded;

import static dev.ferry.embedded.Database.one;
import static dev.ferry.embedded.Database.query;
import static dev.ferry.embedded.Database.update;
import static dev.ferry.embedded.Columns.nanos;
import static dev.ferry.embedded.Revisions.revised;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.common.Documents;
import dev.ferry.core.common.Page;
import dev.ferry.core.common.Write;
import dev.ferry.core.deployments.Deployment;
import dev.ferry.core.deployments.DeploymentStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** {@link DeploymentStore} in the embedded database: the document in {@code doc}, the fields lists use beside it. */
public final class SqliteDeployments implements DeploymentStore {
    private final Database db;

    public SqliteDeployments(Database db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    @Override
    public boolean createDeployment(Deployment deployment) {
        String json = Documents.write(deployment);
        return db.write("creating deployment '" + deployment.fullName() + "'", c -> update(c, """
                INSERT INTO deployments (id, flow_name, name, work_pool_name, revision, heal_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (flow_name, name) DO NOTHING""", deployment.id(), deployment.flowName(), deployment.name(),
                deployment.workPoolName(), deployment.revision(), healAt(deployment), json) == 1);
    }

    @Override
    public Optional<Deployment> deployment(String id) {
        return db.read("reading deployment " + id, c -> read(c, id));
    }

    @Override
    public Optional<Deployment> deployment(String flowName, String name) {
        return db.read("reading deployment '" + flowName + "/" + name + "'",
                c -> one(c, "SELECT doc, revision FROM deployments WHERE flow_name = ? AND name = ?",
                        rs -> revised(rs, Deployment.class), flowName, name));
    }

    @Override
    public Page<Deployment> deployments(String workPoolName, int limit, String cursor) {
        Pages.checkLimit(limit);
        StringBuilder sql = new StringBuilder("SELECT doc, revision FROM deployments WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (workPoolName != null) {
            sql.append(" AND work_pool_name = ?");
            args.add(workPoolName);
        }
        if (cursor != null) {
            JsonNode after = Pages.after(cursor, Pages.DEPLOYMENTS);
            sql.append(" AND (flow_name, name) > (?, ?)");
            args.add(after.get(1).asText());
            args.add(after.get(2).asText());
        }
        sql.append(" ORDER BY flow_name, name LIMIT ?");
        args.add(limit + 1);
        List<Deployment> found = db.read("listing deployments",
                c -> query(c, sql.toString(), rs -> revised(rs, Deployment.class), args.toArray()));
        return Pages.page(found, limit, last -> Pages.cursor(Pages.DEPLOYMENTS, last.flowName(), last.name()));
    }

    @Override
    public Page<Deployment> toHeal(Instant after, Instant until, int limit, String cursor) {
        Pages.checkLimit(limit);
        StringBuilder sql = new StringBuilder("SELECT doc, revision FROM deployments WHERE heal_at > ? AND heal_at <= ?");
        List<Object> args = new ArrayList<>(List.of(nanos(after), nanos(until)));
        if (cursor != null) {
            JsonNode from = Pages.after(cursor, Pages.DEPLOYMENTS_TO_HEAL);
            sql.append(" AND (heal_at, id) > (?, ?)");
            args.add(from.get(1).asLong());
            args.add(from.get(2).asText());
        }
        sql.append(" ORDER BY heal_at, id LIMIT ?");
        args.add(limit + 1);
        List<Deployment> found = db.read("listing deployments to heal",
                c -> query(c, sql.toString(), rs -> revised(rs, Deployment.class), args.toArray()));
        return Pages.page(found, limit, last -> Pages.cursor(Pages.DEPLOYMENTS_TO_HEAL, healAt(last), last.id()));
    }

    /** Only deployments with something to heal have one, so the index over it holds only them. */
    static Long healAt(Deployment d) {
        Instant at = DeploymentStore.healAt(d);
        return at == null ? null : nanos(at);
    }

    @Override
    public Write<Deployment> updateDeployment(Deployment next) {
        Deployment stored = next.withRevision(next.revision() + 1);
        return Revisions.write(db, "updating deployment " + next.id(), c -> stored, c -> read(c, next.id()).orElse(null),
                "UPDATE deployments SET work_pool_name = ?, revision = ?, heal_at = ?, doc = ? WHERE id = ? AND revision = ?",
                stored.workPoolName(), stored.revision(), healAt(stored), Documents.write(stored), next.id(), next.revision());
    }

    @Override
    public Write<Deployment> deleteDeployment(Deployment seen) {
        return Revisions.write(db, "deleting deployment " + seen.id(), c -> seen, c -> read(c, seen.id()).orElse(null),
                "DELETE FROM deployments WHERE id = ? AND revision = ?", seen.id(), seen.revision());
    }

    private static Optional<Deployment> read(Connection c, String id) throws SQLException {
        return one(c, "SELECT doc, revision FROM deployments WHERE id = ?", rs -> revised(rs, Deployment.class), id);
    }
}
