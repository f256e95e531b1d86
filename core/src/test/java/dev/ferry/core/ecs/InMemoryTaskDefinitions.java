package dev.ferry.core.ecs;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** {@link TaskDefinitions} in memory, for core's unit tests; {@link InMemoryTaskDefinitionsTest} holds it to the contract. */
public final class InMemoryTaskDefinitions implements TaskDefinitions {
    private final Map<String, String> arnByHash = new ConcurrentHashMap<>();

    @Override
    public Optional<String> taskDefinition(String contentHash) {
        return Optional.ofNullable(arnByHash.get(contentHash));
    }

    @Override
    public void rememberTaskDefinition(String contentHash, String arn) {
        arnByHash.put(contentHash, arn);
    }

    @Override
    public void forgetTaskDefinition(String contentHash) {
        arnByHash.remove(contentHash);
    }
}
