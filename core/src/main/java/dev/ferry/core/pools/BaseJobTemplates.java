package dev.ferry.core.pools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The default base job template of each pool type, shipped as JSON resources. */
public final class BaseJobTemplates {
    private static final ObjectNode PROCESS = load("process.json");
    private static final ObjectNode ECS = load("ecs.json");

    private BaseJobTemplates() {}

    public static ObjectNode defaultFor(PoolType type) {
        return (switch (type) {
            case PROCESS -> PROCESS;
            case ECS -> ECS;
        }).deepCopy();
    }

    private static ObjectNode load(String name) {
        try (InputStream in = BaseJobTemplates.class.getResourceAsStream(name)) {
            return (ObjectNode) Json.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
