package dev.ferry.aws;

import java.util.function.Supplier;

/**
 * A client built on first use, then kept: for the SDK clients only some invocations need (ECS,
 * CloudWatch Logs), so the functions that never use them don't pay for them at cold start.
 */
public final class Lazy<T extends AutoCloseable> implements Supplier<T>, AutoCloseable {
    private final Supplier<T> factory;
    private volatile T value;

    private Lazy(Supplier<T> factory, T value) {
        this.factory = factory;
        this.value = value;
    }

    public static <T extends AutoCloseable> Lazy<T> of(Supplier<T> factory) {
        return new Lazy<>(factory, null);
    }

    /** Already built (tests, benchmarks). */
    public static <T extends AutoCloseable> Lazy<T> built(T value) {
        return new Lazy<>(() -> value, value);
    }

    @Override
    public T get() {
        T v = value;
        if (v == null) {
            synchronized (this) {
                v = value;
                if (v == null) value = v = factory.get();
            }
        }
        return v;
    }

    @Override
    public void close() throws Exception {
        T v = value;
        if (v != null) v.close();
    }
}
