package dev.ferry.core.deployments;

/** What a run does when its deployment's concurrency limit is reached at claim time. */
public enum CollisionStrategy {
    /** Wait in the queue until a slot frees up. */
    ENQUEUE,
    /** Give up: the new run is CANCELLED. */
    CANCEL_NEW
}
