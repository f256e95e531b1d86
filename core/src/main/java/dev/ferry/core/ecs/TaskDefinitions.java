package dev.ferry.core.ecs;

import java.util.Optional;

/**
 * The task-definition revisions Ferry registered, by the content hash of what they define: a hash
 * names one content for good, so a run whose definition is known needs no RegisterTaskDefinition.
 */
public interface TaskDefinitions {

    Optional<String> taskDefinition(String contentHash);

    void rememberTaskDefinition(String contentHash, String arn);

    /** Someone deregistered it: register anew next time. */
    void forgetTaskDefinition(String contentHash);
}
