package dev.ferry.core.api;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The names a server answers to. A page on any site can make the browser resolve a name of its
 * own to 127.0.0.1 (DNS rebinding) and then read and write a loopback server as if it were the
 * page's origin; the {@code Host} header still carries the page's name, so a loopback server
 * answers only to its own names and the ones it was told ({@code --allowed-host}).
 *
 * @param names lower-case host names and addresses, without the port
 * @param port  the port the server listens on, which the {@code Host} header must name (or leave
 *              out, for port 80)
 */
public record HostNames(Set<String> names, int port) {

    public HostNames {
        names = Set.copyOf(names);
    }

    /** A loopback server's names: localhost, its loopback addresses, and {@code extra}. */
    public static HostNames loopback(String boundAddress, int port, List<String> extra) {
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "[::1]", normal(boundAddress)));
        extra.forEach(name -> names.add(normal(name)));
        return new HostNames(names, port);
    }

    /** Only the names given (a server on another interface, told which names it has). */
    public static HostNames only(List<String> given, int port) {
        Set<String> names = new LinkedHashSet<>();
        given.forEach(name -> names.add(normal(name)));
        return new HostNames(names, port);
    }

    public boolean allows(String host) {
        if (host == null || host.isBlank()) return false;
        String value = host.strip().toLowerCase(Locale.ROOT);
        int colon = value.lastIndexOf(':');
        boolean hasPort = colon > value.lastIndexOf(']'); // "[::1]" has colons but no port
        String name = hasPort ? value.substring(0, colon) : value;
        String givenPort = hasPort ? value.substring(colon + 1) : "80";
        return names.contains(name) && givenPort.equals(Integer.toString(port));
    }

    /** What the refused request is told, so a user who reached the server by another name knows what to do. */
    public String refusal(String host) {
        return "this server does not answer to the host name '" + host + "' (a web page may have rebound its name to "
                + "this machine); it answers to " + String.join(", ", new TreeSet<>(names)) + " on port " + port
                + ". Start it with --allowed-host NAME to add a name";
    }

    private static String normal(String name) {
        String stripped = name.strip().toLowerCase(Locale.ROOT);
        return stripped.contains(":") && !stripped.startsWith("[") ? "[" + stripped + "]" : stripped;
    }
}
