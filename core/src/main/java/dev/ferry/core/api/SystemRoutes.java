package dev.ferry.core.api;

import dev.ferry.core.Ferry;
import dev.ferry.core.pools.BaseJobTemplates;
import dev.ferry.core.pools.PoolType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

final class SystemRoutes {
    private static final byte[] OPENAPI = load();

    List<Route> routes() {
        return List.of(
                new Route("GET", "/api/health", "Liveness and version",
                        (r, p) -> ApiResponse.json(200, Map.of("status", "ok", "version", Ferry.VERSION))),
                new Route("GET", "/api/openapi.json", "This API's OpenAPI document",
                        (r, p) -> new ApiResponse(200, Map.of("Content-Type", ApiResponse.JSON), OPENAPI)),
                new Route("GET", "/api/work_pool_types/{type}/base_job_template", "Default base job template of a pool type",
                        (r, p) -> ApiResponse.json(200, BaseJobTemplates.defaultFor(PoolType.parse(p.get("type"))))));
    }

    private static byte[] load() {
        try (InputStream in = SystemRoutes.class.getResourceAsStream("openapi.json")) {
            return in == null ? "{}".getBytes() : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
