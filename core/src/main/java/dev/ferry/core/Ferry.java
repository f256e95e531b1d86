package dev.ferry.core;

import dev.ferry.core.auth.RunTokens;
import dev.ferry.core.deployments.DeploymentService;
import dev.ferry.core.janitor.Janitor;
import dev.ferry.core.pools.PoolService;
import dev.ferry.core.ports.Clock;
import dev.ferry.core.ports.Ids;
import dev.ferry.core.ports.Store;
import dev.ferry.core.ports.WorkQueues;
import dev.ferry.core.runs.ClaimService;
import dev.ferry.core.runs.FlowRunService;
import dev.ferry.core.runs.Transitions;

/** The application services, wired once from the ports an adapter set provides. */
public record Ferry(PoolService pools, DeploymentService deployments, FlowRunService runs, ClaimService claims,
                    Janitor janitor) {

    public static final String VERSION = "0.1.0";

    /** Without run tokens: claims carry no {@code run_token}. */
    public static Ferry wire(Store store, WorkQueues workQueues, Clock clock, Ids ids) {
        return wire(store, workQueues, clock, ids, RunTokens.none());
    }

    /** @param runTokens minted for every claimed run ({@code ApiKeyService.runTokens()}) */
    public static Ferry wire(Store store, WorkQueues workQueues, Clock clock, Ids ids, RunTokens runTokens) {
        Transitions transitions = new Transitions(store, workQueues, clock);
        PoolService pools = new PoolService(store, workQueues, clock, ids);
        return new Ferry(pools,
                new DeploymentService(store, clock, ids),
                new FlowRunService(store, workQueues, transitions, clock, ids),
                new ClaimService(store, workQueues, transitions, pools, clock, runTokens),
                new Janitor(store, workQueues, transitions, clock));
    }
}
