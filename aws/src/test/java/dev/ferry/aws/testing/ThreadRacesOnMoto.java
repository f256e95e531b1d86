package dev.ferry.aws.testing;

import dev.ferry.core.testing.ThreadRace;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Switches a contract's {@link ThreadRace} tests off on moto, which is not atomic under concurrent
 * requests (parallel conditional writes of one item lose updates), so a thread race there proves
 * nothing and fails at random. The AWS suites prove the same races with forced interleavings
 * instead (DynamoDbRaceIT for claims and limits, the {@code _forcedInterleaving} tests for edits).
 * On LocalStack they run.
 */
public final class ThreadRacesOnMoto implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        boolean race = context.getTestMethod().map(m -> m.isAnnotationPresent(ThreadRace.class)).orElse(false);
        if (race && !"localstack".equals(System.getProperty("emulator"))) {
            return ConditionEvaluationResult.disabled("moto is not atomic under concurrent requests; the same race is "
                    + "proven with a forced interleaving (DynamoDbRaceIT, *_forcedInterleaving)");
        }
        return ConditionEvaluationResult.enabled("not a thread race, or an atomic emulator");
    }
}
