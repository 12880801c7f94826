package io.lightgate.modules.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Rewrites the URLs a backend puts in {@code Location}, {@code Content-Location} and {@code Set-Cookie}
 * ({@code Domain}, {@code Path}) back to what the client sees: {@code map-host-response} for hosts ("-" key: the
 * Host sent to the backend; "-" value: the client's Host), {@code map-urlpath} reversed for paths (the entry the
 * request used first), {@code https-remap} for the scheme of an https client. An absolute URL's path is remapped
 * only when its host was one of ours (mapped, or listed in {@code map-urlpath-resp-host-include}) and not listed in
 * {@code -exclude}; other hosts are someone else's URLs and stay as they are. A pure function of its inputs.
 */
final class ResponseUrlMapper {
    private final ProxyHeaderOptions options;
    private final String clientHost;
    private final String backendHost;
    private final boolean httpsClient;
    /** The map-urlpath entry the request went through, or null. */
    private final Map.Entry<String, String> requestPath;

    ResponseUrlMapper(ProxyHeaderOptions options, String clientHost, String backendHost, boolean httpsClient,
                      Map.Entry<String, String> requestPath) {
        this.options = options;
        this.clientHost = clientHost == null ? "" : clientHost;
        this.backendHost = backendHost == null ? "" : backendHost.toLowerCase(Locale.ROOT);
        this.httpsClient = httpsClient;
        this.requestPath = requestPath;
    }

    /** Whether anything would be rewritten at all. */
    boolean active() {
        return options.rewritesResponses() || options.httpsRemap() && httpsClient;
    }

    void rewrite(HttpHeaders headers) {
        if (!active()) {
            return;
        }
        for (String name : List.of("Location", "Content-Location")) {
            String v = headers.get(name);
            if (v != null) {
                headers.set(name, url(v));
            }
        }
        List<String> cookies = headers.getAll("Set-Cookie");
        if (!cookies.isEmpty()) {
            List<String> mapped = new ArrayList<>(cookies.size());
            for (String c : cookies) {
                mapped.add(cookie(c));
            }
            headers.set("Set-Cookie", mapped);
        }
    }

    /** A Location-like value: absolute URL or absolute path. */
    String url(String value) {
        int scheme = value.indexOf("://");
        if (scheme <= 0 || !value.substring(0, scheme).chars().allMatch(Character::isLetter)) {
            return value.startsWith("/") ? path(value) : value;
        }
        int authorityStart = scheme + 3;
        int pathStart = authorityStart;
        while (pathStart < value.length() && "/?#".indexOf(value.charAt(pathStart)) < 0) {
            pathStart++;
        }
        String schemeName = value.substring(0, scheme);
        String authority = value.substring(authorityStart, pathStart);
        String rest = value.substring(pathStart);
        String mappedHost = host(authority);
        boolean ours = mappedHost != null;
        String hostKey = authority.toLowerCase(Locale.ROOT);
        if (!options.respHostInclude().isEmpty() && options.respHostInclude().contains(hostKey)) {
            ours = true;
        }
        if (options.respHostExclude().contains(hostKey)) {
            ours = false;
        }
        if (mappedHost != null) {
            authority = mappedHost;
            if (options.httpsRemap() && httpsClient && schemeName.equalsIgnoreCase("http")) {
                schemeName = "https";
            }
        }
        if (ours && rest.startsWith("/")) {
            rest = path(rest);
        }
        return schemeName + "://" + authority + rest;
    }

    /** The client-side host for a backend-side {@code host}, or null when it is not mapped. */
    String host(String host) {
        Map<String, String> map = options.mapHostResponse();
        String key = host.toLowerCase(Locale.ROOT);
        String mapped = map.get(key);
        if (mapped == null && !backendHost.isEmpty() && key.equals(backendHost)) {
            mapped = map.get("-");
        }
        if (mapped == null) {
            return null;
        }
        return mapped.equals("-") ? clientHost : mapped;
    }

    /** A backend-side absolute path back to the client side (map-urlpath reversed). */
    String path(String path) {
        if (requestPath != null && path.startsWith(requestPath.getValue())) {
            return join(requestPath.getKey(), path.substring(requestPath.getValue().length()));
        }
        for (Map.Entry<String, String> m : options.mapUrlpath().entrySet()) {
            if (path.startsWith(m.getValue())) {
                return join(m.getKey(), path.substring(m.getValue().length()));
            }
        }
        return path;
    }

    private static String join(String prefix, String rest) {
        if (prefix.endsWith("/") && rest.startsWith("/")) {
            return prefix + rest.substring(1);
        }
        return prefix + rest;
    }

    /** Set-Cookie: Domain through map-host-response, Path through map-urlpath reversed. */
    String cookie(String value) {
        String[] parts = value.split(";", -1);
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (i > 0) {
                out.append(';');
                String attr = p.strip();
                int eq = attr.indexOf('=');
                String name = eq < 0 ? attr : attr.substring(0, eq).strip();
                String v = eq < 0 ? "" : attr.substring(eq + 1).strip();
                String lead = p.substring(0, p.indexOf(attr.isEmpty() ? p : attr));
                if (name.equalsIgnoreCase("domain") && !v.isEmpty()) {
                    boolean dot = v.startsWith(".");
                    String mapped = host(dot ? v.substring(1) : v);
                    if (mapped != null) {
                        out.append(lead).append(name).append('=').append(dot ? "." : "").append(mapped);
                        continue;
                    }
                } else if (name.equalsIgnoreCase("path") && v.startsWith("/")) {
                    out.append(lead).append(name).append('=').append(path(v));
                    continue;
                }
            }
            out.append(p);
        }
        return out.toString();
    }
}
