package dev.ferry.server;

import dev.ferry.core.Ferry;
import dev.ferry.core.api.Router;
import dev.ferry.core.auth.ApiKeyService;
import dev.ferry.core.auth.BootstrapKey;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Ids;
import dev.ferry.embedded.Database;
import dev.ferry.embedded.InProcessTimer;
import dev.ferry.embedded.SqliteAdapters;
import dev.ferry.embedded.SqliteApiKeys;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import javax.net.ssl.SSLContext;


/**
 * Ferry on one machine: the core router behind the JDK HTTP server, state and work queues in
 * one SQLite file, the janitor on a timer, and the automation engine following the stored events.
 */
public final class EmbeddedServer implements AutoCloseable {
    private static final Duration JANITOR_PERIOD = Duration.ofSeconds(5);

    private final ServerHost host;

    private EmbeddedServer(ServerHost host) {
        this.host = host;
    }

    public static EmbeddedServer start(ServerOptions options) {
        InetAddress address = ServerHost.bindable(options.host(), options.apiKey());
        SSLContext tls = options.tls() == null ? null : options.tls().context();
        Database database = Database.open(options.dataDir().resolve("ferry.db"));
        InProcessTimer timer = new InProcessTimer(Clock.SYSTEM);
        try {
            // --api-key is the bootstrap admin; keys made through the API live in the same file
            ApiKeyService auth = new ApiKeyService(new SqliteApiKeys(database), BootstrapKey.ofKey(options.apiKey()),
                    Clock.SYSTEM, Ids.RANDOM);
            Ferry ferry = Ferry.wire(SqliteAdapters.ports(database, Clock.SYSTEM, timer), Clock.SYSTEM, Ids.RANDOM,
                    auth.runTokens(), null, options.settings());
            Router router = new Router(ferry, Clock.SYSTEM, auth);
            timer.start(ferry.schedules());
            Thread automations = new Thread(() -> ferry.automations().follower().follow(ferry.events()), "ferry-automations");
            automations.setDaemon(true);
            automations.start();
            return new EmbeddedServer(ServerHost.start(address, options.port(), options.allowedHosts(), tls,
                    new HttpAdapter(router), () -> ferry.janitor().sweep(), JANITOR_PERIOD, () -> {
                        automations.interrupt();
                        timer.close();
                        automations.join(5_000);
                        database.close();
                    }));
        } catch (RuntimeException e) {
            timer.close();
            database.close();
            throw e;
        }
    }

    public URI url() {
        return host.url();
    }

    public void awaitTermination() throws InterruptedException {
        host.awaitTermination();
    }

    @Override
    public void close() {
        host.close();
    }
}
