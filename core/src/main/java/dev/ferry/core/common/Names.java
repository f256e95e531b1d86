package dev.ferry.core.common;

/** Rules for user-given names (pools, queues, deployments, flows, workers). */
public final class Names {
    public static final int MAX_LENGTH = 100;

    private Names() {}

    public static String check(String field, String name) {
        if (name == null || name.isBlank()) {
            throw BadInput.invalid(field, "'" + field + "' must not be empty");
        }
        if (name.length() > MAX_LENGTH) {
            throw BadInput.invalid(field, "'" + field + "' is " + name.length() + " characters long; at most "
                    + MAX_LENGTH + " are allowed");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '%') {
                throw BadInput.invalid(field, "'" + field + "' must not contain '" + c + "' (got '" + name + "')");
            }
            if (Character.isISOControl(c)) {
                throw BadInput.invalid(field, "'" + field + "' must not contain control characters");
            }
        }
        if (!name.strip().equals(name)) {
            throw BadInput.invalid(field, "'" + field + "' must not start or end with whitespace");
        }
        return name;
    }

    public static Integer nonNegative(String field, Integer value) {
        if (value != null && value < 0) {
            throw BadInput.invalid(field, "'" + field + "' must be 0 or more (got " + value + ")");
        }
        return value;
    }
}
