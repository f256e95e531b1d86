package dev.ferry.aws.testing;

import dev.ferry.core.testing.ClockDrivenDelivery;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Switches a behaviour suite's {@link ClockDrivenDelivery} tests off on SQS: it hides a delayed
 * message for real seconds, and the test clock moving on does not make it visible.
 */
public final class RealTimeQueues implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        boolean clockDriven = context.getTestMethod().map(m -> m.isAnnotationPresent(ClockDrivenDelivery.class)).orElse(false);
        return clockDriven
                ? ConditionEvaluationResult.disabled("SQS delays messages in real time, not by the test clock; "
                        + "SqsWorkQueuesIT proves SQS's delays")
                : ConditionEvaluationResult.enabled("no delivery delay the test clock must move");
    }
}
