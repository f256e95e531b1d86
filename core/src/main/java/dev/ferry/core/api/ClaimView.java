package dev.ferry.core.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.runs.ClaimService;

/** A claimed run as a worker receives it (the {@code Claim} schema of the OpenAPI document). */
record ClaimView(FlowRunView flowRun, DeploymentView deployment, ObjectNode jobConfiguration, String runToken) {

    static ClaimView of(ClaimService.Claimed claimed) {
        return new ClaimView(FlowRunView.of(claimed.flowRun()), DeploymentView.of(claimed.deployment()),
                claimed.jobConfiguration(), claimed.runToken());
    }
}
