package dev.ferry.embedded;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ferry.core.common.Documents;
import java.time.Instant;

/** How Ferry's values sit in the embedded database's columns. */
final class Columns {
    private Columns() {}

    /** Epoch nanoseconds, which sort as the instants do (valid until the year 2262). */
    static long nanos(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    }

    static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    /** A record kept whole as its JSON document in {@code doc}. */
    static <T> T document(String doc, Class<T> type) {
        try {
            return Documents.read(doc, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored " + type.getSimpleName() + " cannot be read back ("
                    + e.getOriginalMessage() + "); was the database written by another Ferry version?", e);
        }
    }
}
