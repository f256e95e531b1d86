package dev.ferry.core.runs;

import static dev.ferry.core.runs.StateType.CANCELLED;
import static dev.ferry.core.runs.StateType.CANCELLING;
import static dev.ferry.core.runs.StateType.COMPLETED;
import static dev.ferry.core.runs.StateType.CRASHED;
import static dev.ferry.core.runs.StateType.FAILED;
import static dev.ferry.core.runs.StateType.PENDING;
import static dev.ferry.core.runs.StateType.RUNNING;
import static dev.ferry.core.runs.StateType.SCHEDULED;

import dev.ferry.core.runs.Decision.Accept;
import dev.ferry.core.runs.Decision.AlreadyApplied;
import dev.ferry.core.runs.Decision.Reject;
import dev.ferry.core.runs.Decision.SlotEffect;
import java.time.Instant;

/**
 * Decides every flow-run state transition. Nothing else in Ferry changes a run's state, so the
 * rules below are the whole state machine:
 *
 * <pre>
 * SCHEDULED -> PENDING (claim only) -> RUNNING -> COMPLETED | FAILED | CRASHED
 * any non-terminal -> CANCELLING -> CANCELLED   (a SCHEDULED run is CANCELLED at once)
 * FAILED with retries left -> SCHEDULED/AwaitingRetry
 * terminal -> SCHEDULED/AwaitingRetry only through an explicit retry
 * </pre>
 */
public final class OrchestrationPolicy {
    public static final String LATE = "Late";
    public static final String AWAITING_RETRY = "AwaitingRetry";

    public Decision decide(FlowRun run, Proposal p, Instant now) {
        if (run.sawTransition(p.transitionId())) {
            return new AlreadyApplied();
        }
        StateType from = run.state().type();
        if (from.isTerminal() && p.origin() != Proposal.Origin.RETRY) {
            return new Reject("run is already " + from + "; terminal states are final (retry it to run it again)");
        }
        return switch (p.origin()) {
            case CLAIM -> from == SCHEDULED && p.type() == PENDING
                    ? accept(run, p, now)
                    : new Reject("run is " + from + " and can't be claimed");
            case CANCEL -> cancel(run, p, now);
            case RETRY -> from.isTerminal()
                    ? retryNow(run, p, now)
                    : new Reject("run is " + from + "; only finished runs can be retried");
            case JANITOR -> janitor(run, p, now);
            case REPORT -> report(run, p, now);
            case CALLER -> p.type() == CANCELLED && from != CANCELLING
                    ? new Reject("run is " + from + "; a run ends CANCELLED only after it was cancelled (POST /cancel)")
                    : report(run, p, now);
        };
    }

    private Decision report(FlowRun run, Proposal p, Instant now) {
        StateType from = run.state().type();
        StateType to = p.type();
        boolean allowed = switch (to) {
            case SCHEDULED -> from == PENDING; // a worker handing back a run it could not start
            case PENDING -> from == PENDING; // infrastructure progress, e.g. a task being provisioned
            case RUNNING -> from == PENDING;
            case COMPLETED -> from == RUNNING || from == CANCELLING;
            case FAILED, CRASHED -> from == PENDING || from == RUNNING || from == CANCELLING;
            case CANCELLING -> from == SCHEDULED || from == PENDING || from == RUNNING;
            case CANCELLED -> true;
        };
        if (!allowed) {
            String hint = to == PENDING ? "; runs become PENDING only by a claim" : "";
            return new Reject("can't go from " + from + " to " + to + hint);
        }
        if (to == CANCELLING && from == SCHEDULED) {
            return accept(run, proposal(CANCELLED, null, p.message(), p.transitionId()), now);
        }
        // Only a run that ran is retried: run_count counts RUNNING entries, so a run failing
        // before it starts (a pull step, a missing interpreter) would otherwise retry forever.
        if (to == FAILED && from == RUNNING && run.runCount() <= run.retries()) {
            String message = "retry " + run.runCount() + " of " + run.retries() + " after: "
                    + (p.message() == null ? "failure" : p.message());
            Proposal retry = proposal(SCHEDULED, AWAITING_RETRY, message, p.transitionId());
            Accept accepted = accept(run, retry, now);
            return new Accept(accepted.next().withScheduledStartTime(now.plusSeconds(run.retryDelaySeconds())), accepted.slots());
        }
        return accept(run, p, now);
    }

    private static Decision retryNow(FlowRun run, Proposal p, Instant now) {
        Accept accepted = accept(run, proposal(SCHEDULED, AWAITING_RETRY, p.message(), p.transitionId()), now);
        return new Accept(accepted.next().withScheduledStartTime(now), accepted.slots());
    }

    private Decision cancel(FlowRun run, Proposal p, Instant now) {
        return switch (run.state().type()) {
            case SCHEDULED -> accept(run, proposal(CANCELLED, null, p.message(), p.transitionId()), now);
            case PENDING, RUNNING -> accept(run, proposal(CANCELLING, null, p.message(), p.transitionId()), now);
            case CANCELLING -> new AlreadyApplied();
            default -> new Reject("run is already " + run.state().type());
        };
    }

    private Decision janitor(FlowRun run, Proposal p, Instant now) {
        StateType from = run.state().type();
        boolean allowed = switch (p.type()) {
            case SCHEDULED -> from == SCHEDULED; // marking it Late
            case CRASHED -> from == PENDING || from == RUNNING;
            case CANCELLED -> from == CANCELLING;
            default -> false;
        };
        return allowed ? accept(run, p, now) : new Reject("janitor can't move a " + from + " run to " + p.type());
    }

    private static Proposal proposal(StateType type, String name, String message, String transitionId) {
        return new Proposal(Proposal.Origin.REPORT, type, name, message, transitionId);
    }

    private static Accept accept(FlowRun run, Proposal p, Instant now) {
        State next = State.of(p.type(), p.name(), p.message(), now, p.transitionId());
        boolean held = run.state().type().holdsSlot();
        boolean holds = next.type().holdsSlot();
        SlotEffect effect = !held && holds ? SlotEffect.ACQUIRE : held && !holds ? SlotEffect.RELEASE : SlotEffect.NONE;
        return new Accept(run.entering(next, now), effect);
    }
}
