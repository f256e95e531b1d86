package dev.ferry.core.triggers;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The slots of a bounded record (an automation's evaluations, a webhook's deliveries), written
 * in turn: each new line takes the next slot and overwrites the oldest. The turn is this
 * process's; several processes (Lambda containers) writing one record may now and then overwrite
 * each other's newest line instead, which a record for people can afford.
 */
public final class Ring {
    private static final AtomicLong TURN = new AtomicLong(System.nanoTime());

    private Ring() {}

    /** The item name of the next slot of a ring of {@code size}. */
    public static String next(int size) {
        return String.format("%03d", Math.floorMod(TURN.getAndIncrement(), size));
    }
}
