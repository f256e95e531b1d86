package dev.ferry.core.runs;

/** What the orchestration policy decided about a proposal. */
public sealed interface Decision {

    /** Enter {@code next}; {@code slots} says what happens to the run's concurrency slots. */
    record Accept(FlowRun next, SlotEffect slots) implements Decision {}

    /** The transition is not allowed from the run's current state. */
    record Reject(String reason) implements Decision {}

    /** Already done (a repeated transition id): nothing to write. */
    record AlreadyApplied() implements Decision {}

    enum SlotEffect { ACQUIRE, RELEASE, NONE }
}
