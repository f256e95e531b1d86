package dev.ferry.core.automations;

import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Ids;
import dev.ferry.core.deployments.DeploymentService;
import dev.ferry.core.events.EventFeed;
import dev.ferry.core.events.EventSink;
import dev.ferry.core.pools.PoolService;
import dev.ferry.core.runs.FlowRunService;
import dev.ferry.core.triggers.TriggerStore;

/**
 * The automations feature as the wiring builds it: the service the API calls, the engine that
 * evaluates events (each automation's firings held to {@code maxFiringsPerMinute} by its circuit
 * breaker), and, where the engine runs in-process, the follower that feeds it.
 *
 * @param follower null where something else feeds the engine (on AWS, the table's stream)
 */
public record Automations(AutomationService service, AutomationEngine engine, EventFollower follower) {

    public static Automations wire(TriggerStore store, EventFeed feed, DeploymentService deployments, FlowRunService runs,
                                   PoolService pools, EventSink events, WebhookCalls webhooks, int maxFiringsPerMinute,
                                   Clock clock, Ids ids) {
        AutomationService service = new AutomationService(store, deployments, clock, ids);
        ActionRunner runner = new ActionRunner(deployments, runs, pools, service::setEnabled, webhooks, clock);
        AutomationEngine engine = new AutomationEngine(store, service, runner, events,
                new CircuitBreaker(store, maxFiringsPerMinute), clock);
        return new Automations(service, engine, feed == null ? null : new EventFollower(feed, engine, store));
    }
}
