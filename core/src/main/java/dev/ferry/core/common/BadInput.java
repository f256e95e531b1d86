package dev.ferry.core.common;

/**
 * The one error type for input the caller must fix. The edge turns it into problem+json
 * (RFC 9457) with {@code field} naming what was wrong.
 */
public final class BadInput extends RuntimeException {
    private final int status;
    private final String field;

    private BadInput(int status, String field, String detail) {
        super(detail);
        this.status = status;
        this.field = field;
    }

    /** A well-formed request whose content is refused (422). */
    public static BadInput invalid(String field, String detail) {
        return new BadInput(422, field, detail);
    }

    /** A request that cannot be read at all: bad JSON, wrong types, unknown fields (400). */
    public static BadInput malformed(String field, String detail) {
        return new BadInput(400, field, detail);
    }

    public static BadInput notFound(String what, String name) {
        return new BadInput(404, null, what + " '" + name + "' not found");
    }

    public static BadInput conflict(String field, String detail) {
        return new BadInput(409, field, detail);
    }

    public static BadInput tooLarge(long limitBytes) {
        return new BadInput(413, null, "request body is larger than " + limitBytes + " bytes");
    }

    /** The same refusal, for a field known by another path where the caller gave it ({@code from} becomes {@code to}, in the message too). */
    public BadInput moved(String from, String to) {
        String moved = field == null ? null : field.startsWith(from) ? to + field.substring(from.length()) : field;
        return new BadInput(status, moved, getMessage().replace("'" + from, "'" + to));
    }

    public int status() {
        return status;
    }

    /** JSON-pointer-ish path of the offending field, or null when the whole request is at fault. */
    public String field() {
        return field;
    }
}
