package dev.ferry.core.deployments;

import static dev.ferry.core.testing.Fixtures.T0;
import static dev.ferry.core.testing.Fixtures.applied;
import static dev.ferry.core.testing.Fixtures.deployment;
import static dev.ferry.core.testing.Fixtures.race;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Page;
import dev.ferry.core.common.Write;
import dev.ferry.core.testing.ThreadRace;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link DeploymentStore} adapter must do. An adapter's test subclasses this and
 * supplies {@link #newDeployments()}; nothing else.
 */
public abstract class DeploymentStoreContract {

    /** A fresh, empty store. Called once per test. */
    protected abstract DeploymentStore newDeployments();

    protected DeploymentStore store;

    @BeforeEach
    void freshStore() {
        store = newDeployments();
    }

    @Test
    void createDeployment_insertsANewDeploymentAsGiven() {
        Deployment d = deployment("etl", "nightly", "pool-a");

        assertThat(store.createDeployment(d)).isTrue();

        assertThat(store.deployment(d.id())).contains(d);
        assertThat(store.deployment("etl", "nightly")).contains(d);
    }

    @Test
    void createDeployment_returnsFalseAndWritesNothing_whenFlowAndNameAreTaken() {
        Deployment first = created(deployment("etl", "nightly", "pool-a"));
        Deployment again = deployment("etl", "nightly", "pool-b");

        assertThat(store.createDeployment(again)).isFalse();

        assertThat(store.deployment("etl", "nightly")).contains(first);
        assertThat(store.deployment(again.id())).isEmpty();
        assertThat(store.deployments(null, 10, null).items()).containsExactly(first);
    }

    @ThreadRace
    @Test
    void createDeployment_makesOneDeployment_whenTwoFirstDeploysRace() throws Exception {
        List<Callable<Boolean>> creates = new ArrayList<>();
        for (int i = 0; i < 8; i++) creates.add(() -> store.createDeployment(deployment("etl", "nightly", "pool-a")));

        List<Boolean> answers = race(creates);

        assertThat(answers).containsOnlyOnce(true);
        assertThat(store.deployments(null, 10, null).items()).hasSize(1);
    }

    @Test
    void deployment_isEmpty_whenUnknown() {
        created(deployment("etl", "nightly", "pool-a"));

        assertThat(store.deployment("no-such-id")).isEmpty();
        assertThat(store.deployment("etl", "weekly")).isEmpty();
        assertThat(store.deployment("nightly", "etl")).isEmpty();
    }

    @Test
    void deployments_pageInFlowThenNameOrder_withCursors() {
        List<Deployment> expected = new ArrayList<>();
        for (String flow : List.of("b-flow", "a-flow", "c-flow")) {
            for (String name : List.of("two", "one")) {
                created(deployment(flow, name, "pool-a"));
            }
        }
        for (String flow : List.of("a-flow", "b-flow", "c-flow")) {
            for (String name : List.of("one", "two")) {
                expected.add(store.deployment(flow, name).orElseThrow());
            }
        }

        Page<Deployment> first = store.deployments(null, 4, null);
        Page<Deployment> second = store.deployments(null, 4, first.next());

        assertThat(first.items()).containsExactlyElementsOf(expected.subList(0, 4));
        assertThat(first.next()).isNotNull();
        assertThat(second.items()).containsExactlyElementsOf(expected.subList(4, 6));
        assertThat(second.next()).isNull();
    }

    @Test
    void deployments_haveNoNextCursor_whenThePageIsExactlyFull() {
        created(deployment("etl", "a", "pool-a"));
        created(deployment("etl", "b", "pool-a"));

        Page<Deployment> page = store.deployments(null, 2, null);

        assertThat(page.items()).hasSize(2);
        assertThat(page.next()).isNull();
    }

    @Test
    void deployments_filterByWorkPoolName() {
        Deployment a1 = created(deployment("etl", "a1", "pool-a"));
        created(deployment("etl", "b1", "pool-b"));
        Deployment a2 = created(deployment("report", "a2", "pool-a"));

        Page<Deployment> first = store.deployments("pool-a", 1, null);
        Page<Deployment> second = store.deployments("pool-a", 1, first.next());

        assertThat(first.items()).containsExactly(a1);
        assertThat(second.items()).containsExactly(a2);
        assertThat(second.next()).isNull();
        assertThat(store.deployments("pool-c", 10, null).items()).isEmpty();
    }

    @Test
    void deployments_refuseACursorTheyDidNotIssue() {
        assertThatThrownBy(() -> store.deployments(null, 10, "not-a-cursor!"))
                .isInstanceOf(BadInput.class);
    }

    @Test
    void updateDeployment_storesTheChange_withTheNextRevision() {
        Deployment d = created(deployment("etl", "nightly", "pool-a"));
        Deployment paused = d.paused("maintenance", "ops", T0.plusSeconds(600), T0.plusSeconds(3));

        Write<Deployment> written = store.updateDeployment(paused);

        assertThat(written).isEqualTo(new Write.Applied<>(paused.withRevision(2)));
        assertThat(store.deployment(d.id())).contains(paused.withRevision(2));
        assertThat(store.deployment("etl", "nightly")).contains(paused.withRevision(2));
    }

    @Test
    void updateDeployment_isRefusedWithTheCurrentDeployment_whenItChangedSinceItWasRead() {
        Deployment read = created(deployment("etl", "nightly", "pool-a"));
        Deployment first = applied(store.updateDeployment(read.paused("first", "ops", null, T0.plusSeconds(1))));

        Write<Deployment> stale = store.updateDeployment(read.withSettings(7, CollisionStrategy.CANCEL_NEW, Overlap.SKIP,
                "second", T0.plusSeconds(2)));

        assertThat(stale).isEqualTo(new Write.Stale<>(first));
        assertThat(store.deployment(read.id())).contains(first);
    }

    @Test
    void updateDeployment_isRefusedWithNothing_whenItIsGone() {
        Deployment d = created(deployment("etl", "nightly", "pool-a"));
        applied(store.deleteDeployment(d));

        assertThat(store.updateDeployment(d.paused(null, null, null, T0))).isEqualTo(new Write.Stale<>(null));
        assertThat(store.deployment(d.id())).isEmpty();
        assertThat(store.deployment("etl", "nightly")).isEmpty();
        assertThat(store.deployments(null, 10, null).items()).isEmpty();
    }

    @Test
    void deleteDeployment_removesIt_andFreesItsName() {
        Deployment d = created(deployment("etl", "nightly", "pool-a"));

        assertThat(store.deleteDeployment(d)).isEqualTo(new Write.Applied<>(d));

        assertThat(store.deployment(d.id())).isEmpty();
        assertThat(store.deployment("etl", "nightly")).isEmpty();
        assertThat(store.createDeployment(deployment("etl", "nightly", "pool-a"))).isTrue();
    }

    @Test
    void deleteDeployment_isRefusedWithTheCurrentDeployment_whenItChangedSinceItWasRead() {
        Deployment read = created(deployment("etl", "nightly", "pool-a"));
        Deployment edited = applied(store.updateDeployment(read.paused("keep me", "ops", null, T0.plusSeconds(1))));

        assertThat(store.deleteDeployment(read)).isEqualTo(new Write.Stale<>(edited));
        assertThat(store.deployment(read.id())).contains(edited);
        assertThat(store.deleteDeployment(read.withRevision(99))).isEqualTo(new Write.Stale<>(edited));
        assertThat(store.deleteDeployment(edited)).isEqualTo(new Write.Applied<>(edited));
        assertThat(store.deleteDeployment(edited)).isEqualTo(new Write.Stale<>(null));
    }

    protected Deployment created(Deployment d) {
        assertThat(store.createDeployment(d)).isTrue();
        return d;
    }

    @Test
    void toHeal_findsTheDeploymentsWhoseHealTimeLiesInTheWindow_only() {
        Instant resume = T0.plusSeconds(3600);
        Deployment scheduled = created(deployment("etl", "scheduled", "pool-a")); // active schedule, written at T0
        created(deployment("etl", "unscheduled", "pool-a").withSchedules(List.of(), T0));
        Deployment pausedUntil = created(deployment("etl", "paused-until", "pool-a").paused("w", "ops", resume, T0));
        created(deployment("etl", "paused", "pool-a").paused("w", "ops", null, T0));
        Deployment gone = created(deployment("etl", "deleted", "pool-a"));
        applied(store.deleteDeployment(gone));

        assertThat(toHeal(T0.minusSeconds(1), T0)).containsExactly(scheduled);
        assertThat(toHeal(T0, resume)).containsExactly(pausedUntil);
        assertThat(toHeal(resume, resume.plusSeconds(86_400))).isEmpty();

        // written again: found by the new time, no longer by the old
        Deployment edited = applied(store.updateDeployment(scheduled.withSettings(null, null, null, "x", T0.plusSeconds(10))));
        assertThat(toHeal(T0.minusSeconds(1), T0)).isEmpty();
        assertThat(toHeal(T0.plusSeconds(9), T0.plusSeconds(10))).containsExactly(edited);
        applied(store.updateDeployment(edited.paused("w", "ops", null, T0.plusSeconds(20))));
        assertThat(toHeal(T0.minusSeconds(1), resume.plusSeconds(86_400))).containsExactly(pausedUntil);
    }

    @Test
    void toHeal_pagesThroughEveryDeployment_withoutLoss() {
        List<Deployment> all = new ArrayList<>();
        for (int i = 0; i < 5; i++) all.add(created(deployment("etl", "d" + i, "pool-a")));
        List<Deployment> seen = new ArrayList<>();
        String cursor = null;
        do {
            Page<Deployment> page = store.toHeal(T0.minusSeconds(1), T0, 2, cursor);
            assertThat(page.items()).hasSizeLessThanOrEqualTo(2);
            seen.addAll(page.items());
            cursor = page.next();
        } while (cursor != null);
        assertThat(seen).containsExactlyInAnyOrderElementsOf(all);
    }

    private List<Deployment> toHeal(Instant after, Instant until) {
        List<Deployment> out = new ArrayList<>();
        String cursor = null;
        do {
            Page<Deployment> page = store.toHeal(after, until, 100, cursor);
            out.addAll(page.items());
            cursor = page.next();
        } while (cursor != null);
        return out;
    }
}
