package dev.ferry.server;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.ferry.core.api.HostNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;

/**
 * What both local servers (embedded and {@code --aws}) are made of: the JDK HTTP server and its
 * handler threads, the janitor on a timer, and an orderly stop that closes their resources last.
 */
final class ServerHost implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ServerHost.class.getName());
    /** Long polls hold a thread each for up to 20 s, so the pool is sized for many waiting workers. */
    private static final int HTTP_THREADS = 64;

    private final HttpServer http;
    private final ExecutorService handlers;
    private final ScheduledExecutorService janitor;
    private final AutoCloseable resources;
    private final URI url;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private ServerHost(HttpServer http, ExecutorService handlers, ScheduledExecutorService janitor, AutoCloseable resources) {
        this.http = http;
        this.handlers = handlers;
        this.janitor = janitor;
        this.resources = resources;
        InetSocketAddress address = http.getAddress();
        String host = address.getAddress().isAnyLocalAddress() ? "127.0.0.1" : address.getHostString();
        String scheme = http instanceof HttpsServer ? "https" : "http";
        this.url = URI.create(scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort());
    }

    /**
     * The address to bind, refusing one off loopback without an API key: with no key the server
     * admits everyone, and anyone who can reach it could run code on the workers.
     */
    static InetAddress bindable(String host, String apiKey) {
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (IOException e) {
            throw new IllegalArgumentException("unknown host '" + host + "'");
        }
        if (!address.isLoopbackAddress() && (apiKey == null || apiKey.isBlank())) {
            throw new IllegalArgumentException("refusing to listen on " + host
                    + " without an API key: anyone who can reach it could run code on your workers. "
                    + "Set --api-key (or FERRY_SERVER_API_KEY), or bind 127.0.0.1");
        }
        return address;
    }

    /**
     * Serves {@code handler}, runs {@code sweep} every {@code sweepEvery}; {@code resources} close on
     * stop or on failure. A loopback server answers only to its own names and {@code allowedHosts};
     * one on another interface (it has an API key) to {@code allowedHosts} when there are any.
     *
     * @param tls serves HTTPS with it; null for plain HTTP
     */
    static ServerHost start(InetAddress address, int port, List<String> allowedHosts, SSLContext tls, HttpHandler handler,
                            Runnable sweep, Duration sweepEvery, AutoCloseable resources) {
        // The JDK server writes headers and body separately; with Nagle on, each answer waits for
        // the client's delayed ACK (~40 ms on Linux). Read when the server class first loads.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        try {
            HttpServer http;
            if (tls == null) {
                http = HttpServer.create(new InetSocketAddress(address, port), 256);
            } else {
                HttpsServer https = HttpsServer.create(new InetSocketAddress(address, port), 256);
                https.setHttpsConfigurator(new HttpsConfigurator(tls));
                http = https;
            }
            ExecutorService handlers = Executors.newFixedThreadPool(HTTP_THREADS, daemon("ferry-http"));
            http.setExecutor(handlers);
            HttpContext context = http.createContext("/", handler);
            int bound = http.getAddress().getPort();
            if (address.isLoopbackAddress()) {
                context.getFilters().add(new HostFilter(HostNames.loopback(address.getHostAddress(), bound, allowedHosts)));
            } else if (!allowedHosts.isEmpty()) {
                context.getFilters().add(new HostFilter(HostNames.only(allowedHosts, bound)));
            }
            ScheduledExecutorService janitor = Executors.newSingleThreadScheduledExecutor(daemon("ferry-janitor"));
            long every = sweepEvery.toMillis();
            janitor.scheduleWithFixedDelay(() -> sweepSafely(sweep), every, every, TimeUnit.MILLISECONDS);
            http.start();
            return new ServerHost(http, handlers, janitor, resources);
        } catch (IOException e) {
            closeQuietly(resources);
            throw new UncheckedIOException("can't listen on " + address.getHostAddress() + ":" + port + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(resources);
            throw e;
        }
    }

    URI url() {
        return url;
    }

    void awaitTermination() throws InterruptedException {
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
        closeQuietly(resources);
        stopped.countDown();
    }

    private static void sweepSafely(Runnable sweep) {
        try {
            sweep.run();
        } catch (RuntimeException e) {
            // A failed sweep must not stop the timer; the next one retries.
            LOG.log(Level.WARNING, "janitor sweep failed", e);
        }
    }

    private static void closeQuietly(AutoCloseable resources) {
        try {
            resources.close();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "closing the server's resources failed", e);
        }
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread t = new Thread(runnable, name);
            t.setDaemon(true);
            return t;
        };
    }
}
