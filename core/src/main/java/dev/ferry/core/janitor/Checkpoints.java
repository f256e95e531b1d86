package dev.ferry.core.janitor;

import java.time.Instant;
import java.util.Optional;

/**
 * Named instants that outlive a process: when the janitor last swept, last healed. A janitor that
 * starts (a Lambda cold start, a server restart) carries on from them instead of reading
 * everything again; one that finds none reads everything once.
 */
public interface Checkpoints {

    Optional<Instant> checkpoint(String name);

    /**
     * Stores {@code at} under {@code name} if what is stored is still {@code expected} (null: nothing
     * is); false, and nothing written, when another janitor moved it meanwhile.
     */
    boolean putCheckpoint(String name, Instant expected, Instant at);
}
