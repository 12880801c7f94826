package io.lightgate.modules.proxy;

import io.lightgate.http.Request;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Builds the request head mod_proxy sends to a backend (reference §4.2): request line, {@code Host}, the client's
 * end-to-end headers in order, {@code X-Forwarded-For} (client address appended), {@code X-Host},
 * {@code X-Forwarded-Host}, {@code X-Forwarded-Proto}, an optional RFC 7239 {@code Forwarded}, body framing and
 * {@code Connection}. Hop-by-hop headers never pass: {@code Connection} and what it names, {@code Keep-Alive},
 * {@code Proxy-Connection}, {@code Proxy} (httpoxy), {@code TE} unless exactly {@code trailers}, {@code Upgrade}
 * unless the upgrade is allowed, {@code Transfer-Encoding}/{@code Content-Length} (framed again here), and
 * {@code Set-Cookie} as lighttpd drops it. A pure function of its inputs.
 */
final class BackendRequestHead {
    private BackendRequestHead() { }

    /**
     * What the head depends on.
     *
     * @param target     the request-target to send (origin-form, map-urlpath applied)
     * @param host       the Host to send, null for none (then the request line says HTTP/1.0)
     * @param http10     force-http10 (ignored for an upgrade, which needs HTTP/1.1)
     * @param upgrade    the upgrade policy allowed this request's {@code Upgrade}
     * @param keepAlive  ask the backend to keep the connection (lightgate's backend pool)
     * @param forwarded  the {@code Forwarded} parameters to add
     * @param bodyLength the body to frame, as {@link io.lightgate.http.RequestBody#length}: a chunked body that
     *                   was spooled whole has its length now, and goes with Content-Length
     */
    record Inputs(Request request, String target, String host, boolean http10, boolean upgrade, boolean keepAlive,
                  ForwardedParams forwarded, long bodyLength) {
        /** The request's own body framing. */
        Inputs(Request request, String target, String host, boolean http10, boolean upgrade, boolean keepAlive,
               ForwardedParams forwarded) {
            this(request, target, host, http10, upgrade, keepAlive, forwarded, request.contentLength());
        }
    }

    /** The head as text (ISO-8859-1 bytes on the wire), ending with the empty line. */
    static String build(Inputs in) {
        Request req = in.request();
        HttpHeaders headers = req.headers();
        boolean http10 = in.host() == null || in.http10() && !in.upgrade();
        StringBuilder out = new StringBuilder(512);
        out.append(req.method()).append(' ').append(in.target()).append(http10 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
        if (in.host() != null) {
            out.append("Host: ").append(in.host()).append("\r\n");
        }
        Set<String> named = connectionTokens(headers);
        String clientIp = address(req.remoteAddress());
        boolean te = false;
        boolean xffSeen = false;
        String clientXff = null;
        String clientForwarded = null;
        String originalHost = req.host();
        for (Map.Entry<String, String> h : headers) {
            String name = h.getKey();
            String lower = name.toLowerCase(Locale.ROOT);
            switch (lower) {
                case "host", "connection", "proxy-connection", "keep-alive", "proxy", "set-cookie",
                     "transfer-encoding", "content-length", "http2-settings", "x-host", "x-forwarded-host",
                     "x-forwarded-proto" -> {
                    continue;
                }
                case "te" -> {
                    // only "TE: trailers" is end-to-end meaningful to a backend (lighttpd does the same)
                    if (h.getValue().strip().equalsIgnoreCase("trailers") && !te) {
                        te = true;
                        out.append(name).append(": trailers\r\n");
                    }
                    continue;
                }
                case "upgrade" -> {
                    if (in.upgrade()) {
                        out.append(name).append(": ").append(h.getValue()).append("\r\n");
                    }
                    continue;
                }
                case "x-forwarded-for" -> {
                    if (xffSeen) {
                        continue; // folded into the first one below
                    }
                    xffSeen = true;
                    clientXff = String.join(", ", headers.getAll("X-Forwarded-For"));
                    out.append(name).append(": ").append(clientXff).append(", ").append(clientIp).append("\r\n");
                    continue;
                }
                case "forwarded" -> {
                    if (in.forwarded().any()) {
                        if (clientForwarded == null) {
                            clientForwarded = String.join(", ", headers.getAll("Forwarded"));
                        }
                        continue; // sent once below with our element appended
                    }
                }
                default -> {
                    if (named.contains(lower)) {
                        continue;
                    }
                }
            }
            out.append(name).append(": ").append(h.getValue()).append("\r\n");
        }
        if (in.bodyLength() >= 0) {
            out.append("Content-Length: ").append(in.bodyLength()).append("\r\n");
        } else if (in.bodyLength() == -2) {
            out.append("Transfer-Encoding: chunked\r\n");
        }
        if (!xffSeen) {
            out.append("X-Forwarded-For: ").append(clientIp).append("\r\n");
        }
        if (originalHost != null && !originalHost.isEmpty()) {
            out.append("X-Host: ").append(originalHost).append("\r\n");
            out.append("X-Forwarded-Host: ").append(originalHost).append("\r\n");
        }
        out.append("X-Forwarded-Proto: ").append(req.scheme()).append("\r\n");
        if (in.forwarded().any()) {
            out.append("Forwarded: ");
            if (clientForwarded != null) {
                out.append(clientForwarded).append(", ");
            } else if (clientXff != null) {
                // seed the chain from what earlier proxies said in X-Forwarded-For, as lighttpd does
                for (String hop : clientXff.split(",")) {
                    if (!hop.isBlank()) {
                        out.append("for=").append(quoted(nodeName(hop.strip()))).append(", ");
                    }
                }
            }
            out.append(forwardedElement(in, clientIp)).append("\r\n");
        }
        out.append("Connection: ").append(in.keepAlive() && !http10 ? "keep-alive" : "close");
        if (te) {
            out.append(", te");
        }
        if (in.upgrade()) {
            out.append(", upgrade");
        }
        out.append("\r\n\r\n");
        return out.toString();
    }

    private static String forwardedElement(Inputs in, String clientIp) {
        Request req = in.request();
        StringBuilder e = new StringBuilder();
        // lighttpd's order and quoting: for (an IPv4 address bare), by, proto, host (always quoted)
        if (in.forwarded().forParam()) {
            e.append("for=").append(quote(nodeName(clientIp)));
        }
        if (in.forwarded().by() && req.localAddress() instanceof InetSocketAddress local) {
            separate(e).append("by=").append(quoted(nodeName(address(local)) + ":" + local.getPort()));
        }
        if (in.forwarded().proto()) {
            separate(e).append("proto=").append(quote(req.scheme()));
        }
        if (in.forwarded().host() && req.host() != null && !req.host().isEmpty()) {
            separate(e).append("host=").append(quoted(req.host()));
        }
        return e.toString();
    }

    private static StringBuilder separate(StringBuilder e) {
        return e.isEmpty() ? e : e.append(';');
    }

    /** RFC 7239 §6: an IPv6 address goes in brackets (and therefore in quotes). */
    private static String nodeName(String ip) {
        return ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip;
    }

    /** Always a quoted-string (RFC 7230), backslash-escaping quotes and backslashes. */
    static String quoted(String value) {
        StringBuilder q = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                q.append('\\');
            }
            q.append(c);
        }
        return q.append('"').toString();
    }

    /** A token as it is, anything else as an RFC 7230 quoted-string. */
    static String quote(String value) {
        boolean token = !value.isEmpty();
        for (int i = 0; i < value.length() && token; i++) {
            char c = value.charAt(i);
            token = c > 0x20 && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
        }
        return token ? value : quoted(value);
    }

    /** The client's IP as text (no port, no zone); a unix-socket peer gives "unix". */
    static String address(SocketAddress a) {
        if (a instanceof InetSocketAddress inet && inet.getAddress() != null) {
            // RFC 5952 text (2001:db8::1), as inet_ntop gives lighttpd
            return io.netty.util.NetUtil.toAddressString(inet.getAddress());
        }
        return "unix";
    }

    /** Lower-cased tokens of every Connection header: the client's hop-by-hop header names. */
    private static Set<String> connectionTokens(HttpHeaders headers) {
        Set<String> names = new HashSet<>();
        for (String v : headers.getAll("Connection")) {
            for (String t : v.split(",")) {
                String name = t.strip().toLowerCase(Locale.ROOT);
                // "upgrade" and "te" name headers handled above on their own terms
                if (!name.isEmpty() && !name.equals("upgrade") && !name.equals("te")) {
                    names.add(name);
                }
            }
        }
        return names;
    }
}
