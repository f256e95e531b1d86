package dev.ferry.core.ports;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The delivery side of work queues: a message per run that is due. Embedded: a table in the
 * SQLite file. AWS: one SQS queue per work queue. Delivery is at least once; the store decides
 * whether a delivered run can still be claimed.
 */
public interface WorkQueues {

    /** Makes {@code runId} deliverable from {@code queueId} at {@code visibleAt}. Repeating it is harmless. */
    void send(String queueId, String runId, Instant visibleAt);

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

    /** Removes every message of a deleted queue. */
    void purge(String queueId);

    record Message(String queueId, String runId, String receipt) {}
}
