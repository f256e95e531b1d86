package dev.ferry.core.common;

import java.util.List;

/** One page of a list; {@code next} is an opaque cursor, null on the last page. */
public record Page<T>(List<T> items, String next) {}
