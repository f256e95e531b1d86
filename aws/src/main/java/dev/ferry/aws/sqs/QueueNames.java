package dev.ferry.aws.sqs;

import dev.ferry.core.common.Hashes;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The SQS queue names of work queues: {@code prefix + work queue id} and that plus {@code -dlq}.
 * SQS allows 1 to 80 letters, digits, '-' and '_'; a name is derived from the id alone, because
 * send and receive are given nothing else.
 *
 * <p>An id that is too long or holds other characters becomes a legal, shortened part followed by
 * a hash of the whole id, so two ids never share a queue. Ferry's ids are UUIDs (36 characters),
 * which always fit as they are: the 40-character prefix limit leaves 36.
 */
final class QueueNames {
    static final int MAX_LENGTH = 80;
    static final int MAX_PREFIX_LENGTH = 40;
    static final String DEAD_LETTER_SUFFIX = "-dlq";

    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_-]{1," + MAX_PREFIX_LENGTH + "}");
    private static final Pattern LEGAL = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern ILLEGAL_CHAR = Pattern.compile("[^A-Za-z0-9_-]");
    /** 64 bits of SHA-256: collisions need about 4 billion odd ids. */
    private static final int HASH_HEX_CHARS = 16;

    private final String prefix;
    /** Room for the id's part, so that the dead-letter name fits too. */
    private final int idBudget;

    QueueNames(String prefix) {
        Objects.requireNonNull(prefix, "queue prefix");
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("queue prefix '" + prefix + "' must be 1 to " + MAX_PREFIX_LENGTH
                    + " letters, digits, '-' or '_' (it starts SQS queue names)");
        }
        this.prefix = prefix;
        this.idBudget = MAX_LENGTH - DEAD_LETTER_SUFFIX.length() - prefix.length();
    }

    String prefix() {
        return prefix;
    }

    /** The work queue's own SQS queue. */
    String main(String queueId) {
        if (queueId == null || queueId.isEmpty()) throw new IllegalArgumentException("work queue id must not be empty");
        if (queueId.length() <= idBudget && LEGAL.matcher(queueId).matches()) return prefix + queueId;
        String legal = ILLEGAL_CHAR.matcher(queueId).replaceAll("_");
        int keep = Math.min(legal.length(), idBudget - 1 - HASH_HEX_CHARS);
        return prefix + legal.substring(0, keep) + "-" + hash(queueId);
    }

    /** Where SQS moves the work queue's messages after too many receives. */
    String deadLetter(String queueId) {
        return main(queueId) + DEAD_LETTER_SUFFIX;
    }

    private static String hash(String id) {
        return Hashes.sha256Hex(id).substring(0, HASH_HEX_CHARS);
    }
}
