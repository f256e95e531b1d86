package dev.ferry.core.deployments;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.ferry.core.common.BadInput;
import java.util.Locale;

/** What a schedule firing does while an earlier run of the deployment is still active. */
public enum Overlap {
    /** Start the new run anyway. */
    ALLOW,
    /** Create no run for this slot. */
    SKIP,
    /** Keep at most one run waiting; the deployment's runs go one at a time. */
    BUFFER_ONE,
    /** Cancel the active runs, then start the new one. */
    CANCEL_OTHER;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    static Overlap fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    /** Null for null; a 422 naming {@code overlap} for anything else that is not a policy. */
    public static Overlap parse(String value) {
        if (value == null) return null;
        try {
            return valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw BadInput.invalid("overlap", "'overlap' must be allow, skip, buffer_one or cancel_other (got '" + value + "')");
        }
    }
}
