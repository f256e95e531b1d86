package dev.ferry.core.automations;

import dev.ferry.core.runs.StateType;
import dev.ferry.core.templates.JsonTemplate;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * What an automation does when it fires. Where an action names no target ({@code source:
 * inferred}), the target is read from the triggering event: its resource, or the related
 * resource in the right role.
 */
public sealed interface Action {

    /** The {@code type} as the API names it. */
    String type();

    /**
     * A deployment an action names: by id, or by {@code flow/name} (read when the action runs, so
     * a deployment deleted and deployed again under its name is still found).
     */
    record DeploymentTarget(String id, String flowName, String name) {
        static DeploymentTarget ofId(String id) {
            return new DeploymentTarget(id, null, null);
        }
    }

    /** @param deployment null: the deployment the event is about */
    record RunDeployment(DeploymentTarget deployment, JsonTemplate parameters, JsonTemplate jobVariables, Duration scheduleAfter)
            implements Action {
        public String type() {
            return "run-deployment";
        }
    }

    /** @param deployment null: the deployment the event is about */
    record PauseDeployment(boolean pause, DeploymentTarget deployment) implements Action {
        public String type() {
            return pause ? "pause-deployment" : "resume-deployment";
        }
    }

    /** @param workPoolName null: the work pool the event is about */
    record PauseWorkPool(boolean pause, String workPoolName) implements Action {
        public String type() {
            return pause ? "pause-work-pool" : "resume-work-pool";
        }
    }

    /** @param workPoolName and {@code workQueueName} null: the work queue the event is about */
    record PauseWorkQueue(boolean pause, String workPoolName, String workQueueName) implements Action {
        public String type() {
            return pause ? "pause-work-queue" : "resume-work-queue";
        }
    }

    /** Cancels the flow run the event is about. */
    record CancelFlowRun() implements Action {
        public String type() {
            return "cancel-flow-run";
        }
    }

    /** Sets the state of the flow run the event is about. */
    record ChangeFlowRunState(StateType state, String name, String message) implements Action {
        public String type() {
            return "change-flow-run-state";
        }
    }

    /** @param automationId null: this automation */
    record PauseAutomation(boolean pause, String automationId) implements Action {
        public String type() {
            return pause ? "pause-automation" : "resume-automation";
        }
    }

    /** An outgoing request; {@code body} a template. HTTPS only unless loopback is allowed to the server. */
    record CallWebhook(URI url, String method, Map<String, String> headers, JsonTemplate body, Duration timeout)
            implements Action {
        public CallWebhook {
            headers = Map.copyOf(headers);
        }

        public String type() {
            return "call-webhook";
        }
    }
}
