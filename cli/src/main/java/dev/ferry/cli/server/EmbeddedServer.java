package dev.ferry.cli.server;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.cli.embedded.Database;
import dev.ferry.cli.embedded.SqliteStore;
import dev.ferry.cli.embedded.SqliteWorkQueues;
import dev.ferry.core.Ferry;
import dev.ferry.core.api.ApiKey;
import dev.ferry.core.api.Router;
import dev.ferry.core.ports.Clock;
import dev.ferry.core.ports.Ids;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Ferry on one machine: the core router behind the JDK HTTP server, state and work queues in
 * one SQLite file, and the janitor on a timer.
 */
public final class EmbeddedServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EmbeddedServer.class.getName());
    /** Long polls hold a thread each for up to 20 s, so the pool is sized for many waiting workers. */
    private static final int HTTP_THREADS = 64;
    private static final long JANITOR_PERIOD_SECONDS = 5;

    private final HttpServer http;
    private final ExecutorService handlers;
    private final ScheduledExecutorService janitor;
    private final Database database;
    private final URI url;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private EmbeddedServer(HttpServer http, ExecutorService handlers, ScheduledExecutorService janitor, Database database) {
        this.http = http;
        this.handlers = handlers;
        this.janitor = janitor;
        this.database = database;
        InetSocketAddress address = http.getAddress();
        String host = address.getAddress().isAnyLocalAddress() ? "127.0.0.1" : address.getHostString();
        this.url = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort());
    }

    public static EmbeddedServer start(ServerOptions options) {
        // The JDK server writes headers and body separately; with Nagle on, each answer waits for
        // the client's delayed ACK (~40 ms on Linux). Read once, when the server class loads.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        InetAddress address = resolve(options.host());
        if (!address.isLoopbackAddress() && (options.apiKey() == null || options.apiKey().isBlank())) {
            throw new IllegalArgumentException("refusing to listen on " + options.host()
                    + " without an API key: anyone who can reach it could run code on this machine. "
                    + "Set --api-key (or FERRY_SERVER_API_KEY), or bind 127.0.0.1");
        }
        Path dataDir = options.dataDir();
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("can't create the data directory " + dataDir, e);
        }
        Database database = Database.open(dataDir.resolve("ferry.db"));
        try {
            Ferry ferry = Ferry.wire(new SqliteStore(database), new SqliteWorkQueues(database, Clock.SYSTEM),
                    Clock.SYSTEM, Ids.RANDOM);
            Router router = new Router(ferry, Clock.SYSTEM, ApiKey.of(options.apiKey()));
            HttpServer http = HttpServer.create(new InetSocketAddress(address, options.port()), 256);
            ExecutorService handlers = Executors.newFixedThreadPool(HTTP_THREADS, daemon("ferry-http"));
            http.setExecutor(handlers);
            http.createContext("/", new HttpAdapter(router));
            ScheduledExecutorService janitor = Executors.newSingleThreadScheduledExecutor(daemon("ferry-janitor"));
            janitor.scheduleWithFixedDelay(() -> sweep(ferry), JANITOR_PERIOD_SECONDS, JANITOR_PERIOD_SECONDS, TimeUnit.SECONDS);
            http.start();
            return new EmbeddedServer(http, handlers, janitor, database);
        } catch (IOException e) {
            database.close();
            throw new UncheckedIOException("can't listen on " + options.host() + ":" + options.port() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    public URI url() {
        return url;
    }

    public void awaitTermination() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        if (stopped.getCount() == 0) return;
        janitor.shutdownNow();
        http.stop(1);
        handlers.shutdownNow();
        try {
            handlers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        database.close();
        stopped.countDown();
    }

    private static void sweep(Ferry ferry) {
        try {
            ferry.janitor().sweep();
        } catch (RuntimeException e) {
            // A failed sweep must not stop the timer; the next one retries.
            LOG.log(Level.WARNING, "janitor sweep failed", e);
        }
    }

    private static InetAddress resolve(String host) {
        try {
            return InetAddress.getByName(host);
        } catch (IOException e) {
            throw new IllegalArgumentException("unknown host '" + host + "'");
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread t = new Thread(runnable, name);
            t.setDaemon(true);
            return t;
        };
    }
}
