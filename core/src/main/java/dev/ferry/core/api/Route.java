package dev.ferry.core.api;

import java.util.Map;

/** One API operation: method, path template ({@code /api/work_pools/{pool}}), handler. */
public record Route(String method, String path, String summary, Handler handler) {
    /** The parameter that carries the caller's {@code Principal.name()} (null when anyone may call). */
    public static final String CALLER = "@caller";
    /** The parameter that carries the hash of the caller's stored API key (absent for other callers). */
    public static final String CALLER_KEY = "@caller-key";
    /** The parameter that carries the run id of a caller holding a run token (absent for other callers). */
    public static final String CALLER_RUN = "@caller-run";

    @FunctionalInterface
    public interface Handler {
        ApiResponse handle(ApiRequest request, Map<String, String> params) throws Exception;
    }

    String[] segments() {
        return path.substring(1).split("/");
    }
}
