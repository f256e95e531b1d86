package dev.ferry.core.pools;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The delivery side of work queues: a message per run that is due. Embedded: a table in the
 * SQLite file. AWS: one SQS queue per work queue. Delivery is at least once; the store decides
 * whether a delivered run can still be claimed.
 */
public interface WorkQueues {

    /**
     * Creates what delivers the queue's messages (AWS: its SQS queue and dead-letter queue),
     * before the work queue is stored. Repeating it is harmless.
     */
    void provision(WorkQueue queue);

    /**
     * Makes {@code runId} deliverable from {@code queueId} at {@code visibleAt}, never before.
     * Repeating it is harmless. A run due further ahead than {@link #maxDelay()} may be left unsent:
     * the janitor sends it again once it is within reach.
     */
    void send(String queueId, String runId, Instant visibleAt);

    /** The furthest ahead a send can make a message deliverable (SQS: 15 minutes); empty when there is no limit. */
    Optional<Duration> maxDelay();

    /**
     * Takes up to {@code max} visible messages of the queue, hiding them for {@code visibility}.
     * Never blocks.
     */
    List<Message> receive(String queueId, int max, Duration visibility);

    /** The run was claimed or is gone: forget the message. */
    void delete(Message message);

    /** Hands the message back, visible again after {@code delay}. */
    void release(Message message, Duration delay);

    /**
     * Blocks until a message may have become visible on one of the queues, or until
     * {@code deadline}. Spurious wake-ups are allowed; long polls are built on this.
     */
    void await(List<String> queueIds, Instant deadline) throws InterruptedException;

    /** Removes a deleted work queue's delivery (AWS: deletes its SQS queues) and every message. */
    void purge(String queueId);

    record Message(String queueId, String runId, String receipt) {}
}
