package dev.ferry.core.auth;

/**
 * A request turned away: 401 when the credential is missing, malformed, unknown or revoked, 403
 * when it is good but not for this route. The HTTP edge turns it into problem+json.
 */
public final class AccessDenied extends RuntimeException {
    private final int status;

    private AccessDenied(int status, String detail) {
        super(detail);
        this.status = status;
    }

    static AccessDenied unauthenticated(String detail) {
        return new AccessDenied(401, detail);
    }

    static AccessDenied forbidden(String detail) {
        return new AccessDenied(403, detail);
    }

    public int status() {
        return status;
    }
}
