package dev.ferry.core.pools;

/** How many runs of a pool (or of one of its queues) are not over yet: a pool or queue with any can't be deleted. */
@FunctionalInterface
public interface ActiveRuns {
    /** @param queueId null to count the whole pool's */
    int count(String poolId, String queueId);
}
