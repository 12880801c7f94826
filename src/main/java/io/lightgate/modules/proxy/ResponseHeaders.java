package io.lightgate.modules.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Which backend response headers reach the client: the end-to-end ones (RFC 9110 §7.6.1). */
final class ResponseHeaders {
    private ResponseHeaders() { }

    /**
     * Copies {@code from} into {@code to} without hop-by-hop fields: {@code Connection} and what it names,
     * {@code Keep-Alive}, {@code Proxy-Connection}, {@code TE}, {@code Trailer} (trailers are dropped),
     * {@code Transfer-Encoding} and {@code Content-Length} (the core frames the body), and {@code Upgrade} unless
     * {@code switching} (a 101 keeps it; the core adds {@code Connection: upgrade}).
     */
    static void copy(HttpHeaders from, HttpHeaders to, boolean switching) {
        Set<String> named = new HashSet<>();
        for (String v : from.getAll("Connection")) {
            for (String t : v.split(",")) {
                named.add(t.strip().toLowerCase(Locale.ROOT));
            }
        }
        if (switching) {
            named.remove("upgrade");
        }
        for (Map.Entry<String, String> h : from) {
            String lower = h.getKey().toLowerCase(Locale.ROOT);
            boolean hop = switch (lower) {
                case "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding",
                     "content-length" -> true;
                case "upgrade" -> !switching;
                default -> named.contains(lower);
            };
            if (!hop) {
                to.add(h.getKey(), h.getValue());
            }
        }
    }
}
