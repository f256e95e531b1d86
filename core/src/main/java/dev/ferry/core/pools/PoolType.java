package dev.ferry.core.pools;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.ferry.core.common.BadInput;
import java.util.Locale;

/** How a pool runs its flows: a subprocess beside a worker, or an ECS task. */
public enum PoolType {
    PROCESS, ECS;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static PoolType parse(String value) {
        for (PoolType t : values()) {
            if (t.wire().equals(value)) return t;
        }
        throw BadInput.invalid("type", "unknown work pool type '" + value + "'; accepted: process, ecs");
    }
}
