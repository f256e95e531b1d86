package dev.ferry.cli.pools;

import dev.ferry.cli.commands.UsageError;
import java.util.Locale;
import java.util.Set;

/** The pool types, checked before a request so a typo is a usage error, not a round trip. */
final class PoolTypes {
    private static final Set<String> TYPES = Set.of("process", "ecs");

    private PoolTypes() {}

    static String check(String option, String type) {
        String lower = type.toLowerCase(Locale.ROOT);
        if (!TYPES.contains(lower)) {
            throw new UsageError(option + " '" + type + "' is not a work pool type; accepted: process, ecs");
        }
        return lower;
    }
}
