package dev.ferry.functions;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The Lambda context of an invocation made outside Lambda (SnapStart priming, {@code ferry server
 * start --aws}, tests): a function name, and a deadline {@code timeout} after it was made.
 */
public final class LocalContext implements Context {
    // A counter, not a UUID: priming runs before SnapStart's snapshot, and must not seed a random generator into it.
    private static final AtomicLong REQUESTS = new AtomicLong();
    private final String functionName;
    private final long deadlineNanos;
    private final LongSupplier nanoTime;
    private final String requestId;

    public LocalContext(String functionName, Duration timeout) {
        this(functionName, timeout, System::nanoTime);
    }

    LocalContext(String functionName, Duration timeout, LongSupplier nanoTime) {
        this.functionName = functionName;
        this.nanoTime = nanoTime;
        this.deadlineNanos = nanoTime.getAsLong() + timeout.toNanos();
        this.requestId = "local-" + REQUESTS.incrementAndGet();
    }

    @Override
    public int getRemainingTimeInMillis() {
        return (int) Math.max(0, Duration.ofNanos(deadlineNanos - nanoTime.getAsLong()).toMillis());
    }

    @Override
    public String getAwsRequestId() {
        return requestId;
    }

    @Override
    public String getFunctionName() {
        return functionName;
    }

    @Override
    public String getFunctionVersion() {
        return "$LATEST";
    }

    @Override
    public String getInvokedFunctionArn() {
        return "arn:aws:lambda:local:000000000000:function:" + functionName;
    }

    @Override
    public String getLogGroupName() {
        return "/aws/lambda/" + functionName;
    }

    @Override
    public String getLogStreamName() {
        return "local";
    }

    @Override
    public CognitoIdentity getIdentity() {
        return null;
    }

    @Override
    public ClientContext getClientContext() {
        return null;
    }

    @Override
    public int getMemoryLimitInMB() {
        return (int) (Runtime.getRuntime().maxMemory() / (1024 * 1024));
    }

    @Override
    public LambdaLogger getLogger() {
        return Logger.STDERR;
    }

    private enum Logger implements LambdaLogger {
        STDERR;

        @Override
        public void log(String message) {
            System.err.println(message);
        }

        @Override
        public void log(byte[] message) {
            log(new String(message, StandardCharsets.UTF_8));
        }
    }
}
