package dev.ferry.aws;

import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * Throttling that outlasted the SDK's own retries means "not now", not "bad request" and not a
 * server fault: the API answers it 503 with {@code Retry-After}, as any other contention.
 */
public final class Throttling {
    private Throttling() {}

    /** Whether {@code e}, or what caused it, is an AWS service saying it is throttling Ferry. */
    public static boolean isThrottling(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SdkServiceException service && service.isThrottlingException()) return true;
        }
        return false;
    }
}
