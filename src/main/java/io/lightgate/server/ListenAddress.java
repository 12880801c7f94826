package io.lightgate.server;

import io.lightgate.config.ConfigException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

/**
 * Where a listener binds, with its token for {@code $SERVER["socket"]}: {@code "ip:port"}, {@code ":port"},
 * {@code "[v6]:port"}, a host name, or a unix socket path starting with '/'.
 */
public sealed interface ListenAddress permits ListenAddress.Tcp, ListenAddress.Unix {

    /** The token as written in the config (the main listener's is {@code bind:port}). */
    String token();

    record Tcp(String token, InetSocketAddress address) implements ListenAddress { }

    record Unix(String token, Path path) implements ListenAddress { }

    /** The main listener from {@code server.bind} and {@code server.port}. */
    static ListenAddress main(String bind, int port, boolean useIpv6) throws ConfigException {
        if (bind != null && bind.startsWith("/")) {
            return new Unix(bind, Path.of(bind));
        }
        String host = bind == null || bind.isEmpty() ? (useIpv6 ? "::" : "0.0.0.0") : bind;
        String token = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        return new Tcp(token, resolve(stripBrackets(host), port, "server.bind"));
    }

    /** An extra listener from a {@code $SERVER["socket"]} token. */
    static ListenAddress parse(String token) throws ConfigException {
        if (token.startsWith("/")) {
            return new Unix(token, Path.of(token));
        }
        int colon = token.lastIndexOf(':');
        if (colon < 0 || (token.startsWith("[") && token.lastIndexOf(']') > colon)) {
            throw new ConfigException("$SERVER[\"socket\"] == \"" + token + "\": expected \"ip:port\", \":port\", "
                    + "\"[ipv6]:port\" or a unix socket path");
        }
        String host = token.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(token.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new ConfigException("$SERVER[\"socket\"] == \"" + token + "\": invalid port");
        }
        host = host.isEmpty() ? "0.0.0.0" : stripBrackets(host);
        return new Tcp(token, resolve(host, port, "$SERVER[\"socket\"] == \"" + token + "\""));
    }

    private static String stripBrackets(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static InetSocketAddress resolve(String host, int port, String what) throws ConfigException {
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new ConfigException(what + ": can't resolve \"" + host + "\"");
        }
    }
}
