package dev.ferry.core.common;

import java.util.UUID;

/** The one id generator. */
@FunctionalInterface
public interface Ids {
    String next();

    Ids RANDOM = () -> UUID.randomUUID().toString();
}
