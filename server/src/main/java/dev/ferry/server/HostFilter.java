package dev.ferry.server;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import dev.ferry.core.api.ApiResponse;
import dev.ferry.core.api.HostNames;
import java.io.IOException;

/** Refuses requests sent to a name that is not the server's, before they reach the API or the UI. */
final class HostFilter extends Filter {
    private final HostNames names;

    HostFilter(HostNames names) {
        this.names = names;
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (names.allows(host)) {
            chain.doFilter(exchange);
            return;
        }
        try (exchange) {
            HttpAdapter.send(exchange, ApiResponse.problem(403, names.refusal(host), null, null));
        }
    }

    @Override
    public String description() {
        return "answers only to the server's own host names";
    }
}
