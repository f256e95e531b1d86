package dev.ferry.core.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.auth.ApiKeyRecord;
import dev.ferry.core.auth.ApiKeyService;
import dev.ferry.core.common.Json;
import java.util.List;

final class ApiKeyRoutes {
    private final ApiKeyService keys;

    ApiKeyRoutes(ApiKeyService keys) {
        this.keys = keys;
    }

    List<Route> routes() {
        return List.of(
                new Route("POST", "/api/api_keys", "Create an API key; the answer is the only time the key is shown", (r, p) -> {
                    Bodies.CreateApiKey b = Json.read(r.body(), Bodies.CreateApiKey.class);
                    ApiKeyService.Created created = keys.create(new ApiKeyService.NewKey(b.name(), b.role(), b.pools()));
                    ObjectNode node = view(created.record());
                    node.put("key", created.key());
                    return ApiResponse.json(201, node);
                }),
                new Route("GET", "/api/api_keys", "List API keys, revoked ones too",
                        (r, p) -> ApiResponse.json(200, Views.list(keys.list().stream().map(ApiKeyRoutes::view).toList(), null))),
                new Route("DELETE", "/api/api_keys/{id}", "Revoke an API key; answers the revoked key",
                        (r, p) -> ApiResponse.json(200, view(keys.revoke(p.get("id"))))));
    }

    /** The hash stays on the server: it is not secret, but nobody needs it. */
    static ObjectNode view(ApiKeyRecord key) {
        ObjectNode node = Views.tree(key);
        node.remove("hash");
        return node;
    }
}
