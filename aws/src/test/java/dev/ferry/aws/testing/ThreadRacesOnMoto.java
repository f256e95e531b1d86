package dev.ferry.aws.testing;

import dev.ferry.core.testing.ThreadRace;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Switches a contract's {@link ThreadRace} tests off on moto, which is not atomic under concurrent
 * requests (parallel conditional writes of one item lose updates), so a thread race there proves
 * nothing and fails at random. The suite proves the same race with a forced interleaving instead
 * (a test named after the race, ending in {@code _forcedInterleaving}). On LocalStack they run.
 */
public final class ThreadRacesOnMoto implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        boolean race = context.getTestMethod().map(m -> m.isAnnotationPresent(ThreadRace.class)).orElse(false);
        if (race && !"localstack".equals(System.getProperty("emulator"))) {
            return ConditionEvaluationResult.disabled("moto is not atomic under concurrent requests; the same race runs "
                    + "forced, as " + context.getRequiredTestMethod().getName() + "_forcedInterleaving");
        }
        return ConditionEvaluationResult.enabled("not a thread race, or an atomic emulator");
    }
}
