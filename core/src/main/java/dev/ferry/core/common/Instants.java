package dev.ferry.core.common;

import java.time.Instant;

/**
 * The instants Ferry keeps. Both stores order by nanoseconds since 1970 in a signed 64-bit
 * number, which ends in 2262; an instant outside [1970, 2200) is refused where it is given, with
 * the field named, before anything is written (a far-future offset must still fit).
 */
public final class Instants {
    public static final Instant EARLIEST = Instant.EPOCH;
    public static final Instant LATEST = Instant.parse("2200-01-01T00:00:00Z");

    private Instants() {}

    /** {@code value}, or a 422 naming {@code field}; null stays null. */
    public static Instant check(String field, Instant value) {
        if (value != null && (value.isBefore(EARLIEST) || !value.isBefore(LATEST))) {
            throw BadInput.invalid(field, "'" + field + "' " + value + " is out of range: Ferry keeps instants from "
                    + EARLIEST + " to before " + LATEST);
        }
        return value;
    }
}
