package dev.ferry.core.pools;

/** Status of a pool or queue as a user reads it: can a run placed here be picked up now? */
public enum Readiness {
    READY, NOT_READY, PAUSED
}
