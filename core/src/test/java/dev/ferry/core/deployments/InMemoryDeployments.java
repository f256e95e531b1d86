package dev.ferry.core.deployments;

import dev.ferry.core.common.Page;
import dev.ferry.core.common.Write;
import dev.ferry.core.testing.PageCursors;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link DeploymentStore} in memory, for core's unit tests; {@link InMemoryDeploymentsTest} holds it to the contract. */
public final class InMemoryDeployments implements DeploymentStore {
    private static final String LIST = "deployments";
    private static final String HEAL = "deployments_to_heal";
    private static final Comparator<Position> ORDER = Comparator.comparing(Position::flowName).thenComparing(Position::name);

    private final Map<String, Deployment> byId = new HashMap<>();

    /** Where a deployment sorts in the list, and what its page cursor holds. */
    private record Position(String flowName, String name) {
        static Position of(Deployment d) {
            return new Position(d.flowName(), d.name());
        }
    }

    @Override
    public synchronized boolean createDeployment(Deployment deployment) {
        if (deployment(deployment.flowName(), deployment.name()).isPresent()) return false;
        byId.put(deployment.id(), deployment);
        return true;
    }

    @Override
    public synchronized Optional<Deployment> deployment(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    @Override
    public synchronized Optional<Deployment> deployment(String flowName, String name) {
        return byId.values().stream().filter(d -> d.flowName().equals(flowName) && d.name().equals(name)).findFirst();
    }

    @Override
    public synchronized Page<Deployment> deployments(String workPoolName, int limit, String cursor) {
        Position after = cursor == null ? null : PageCursors.decode(cursor, LIST, key -> new Position(key.get(0), key.get(1)));
        List<Deployment> rest = byId.values().stream()
                .filter(d -> workPoolName == null || workPoolName.equals(d.workPoolName()))
                .filter(d -> after == null || ORDER.compare(Position.of(d), after) > 0)
                .sorted(Comparator.comparing(Position::of, ORDER))
                .toList();
        return PageCursors.page(rest, limit, last -> PageCursors.encode(LIST, last.flowName(), last.name()));
    }

    @Override
    public synchronized Page<Deployment> toHeal(Instant after, Instant until, int limit, String cursor) {
        String from = cursor == null ? null : PageCursors.decode(cursor, HEAL, key -> key.get(0));
        List<Deployment> rest = byId.values().stream()
                .filter(d -> {
                    Instant at = DeploymentStore.healAt(d);
                    return at != null && at.isAfter(after) && !at.isAfter(until);
                })
                .filter(d -> from == null || d.id().compareTo(from) > 0)
                .sorted(Comparator.comparing(Deployment::id))
                .toList();
        return PageCursors.page(rest, limit, last -> PageCursors.encode(HEAL, last.id()));
    }

    @Override
    public synchronized Write<Deployment> updateDeployment(Deployment next) {
        Deployment stored = byId.get(next.id());
        if (stored == null || stored.revision() != next.revision()) return new Write.Stale<>(stored);
        Deployment written = next.withRevision(next.revision() + 1);
        byId.put(written.id(), written);
        return new Write.Applied<>(written);
    }

    @Override
    public synchronized Write<Deployment> deleteDeployment(Deployment seen) {
        Deployment stored = byId.get(seen.id());
        if (stored == null || stored.revision() != seen.revision()) return new Write.Stale<>(stored);
        byId.remove(seen.id());
        return new Write.Applied<>(seen);
    }
}
