package io.lightgate.gateway.cgi;

import io.lightgate.Version;
import io.lightgate.config.RequestConfig;
import io.lightgate.http.Exchange;
import io.lightgate.http.PhysicalPath;
import io.lightgate.http.Request;
import io.lightgate.server.ServerKeys;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the CGI environment of one request in lighttpd's order (reference §8, {@code http_cgi_headers}), shared
 * by mod_cgi, mod_scgi and mod_fastcgi. Pure: reads the exchange, does no I/O.
 */
public final class CgiEnvironment {
    private CgiEnvironment() { }

    /** The Sec-WebSocket-Key lighttpd makes up for an HTTP/2 extended CONNECT that carries none (§5.3). */
    public static final String SYNTHETIC_WEBSOCKET_KEY = "MDAwMDAwMDAwMDAwMDAwMA==";

    /** The result: the variables, or the header names a FastCGI/SCGI backend cannot be given. */
    public sealed interface Result permits Built, Collision { }

    /** The environment in order. */
    public record Built(List<CgiVariable> variables) implements Result {
        public Built {
            variables = List.copyOf(variables);
        }

        /** The value of the first variable named {@code name}, or null. */
        public String get(String name) {
            for (CgiVariable v : variables) {
                if (v.name().equals(name)) {
                    return v.value();
                }
            }
            return null;
        }
    }

    /** Two request headers map to the same variable ({@code X-A} and {@code X_A}): FastCGI/SCGI answer 400. */
    public record Collision(String variable, String firstHeader, String secondHeader) implements Result { }

    /** SCRIPT_NAME and PATH_INFO after the split of a prefix key (§2.2). */
    public record ScriptSplit(String scriptName, String pathInfo) { }

    /**
     * lighttpd's PATH_INFO split for a gateway key ({@code gw_check_extension}): for a prefix key the script name
     * ends at the first '/' after the key; a key of "/" with {@code fix-root-scriptname} puts the whole path in
     * PATH_INFO. A suffix key (not starting with '/') splits nothing. Null when a prefix key does not match.
     */
    public static ScriptSplit splitPathInfo(String key, String urlPath, boolean fixRootScriptname) {
        if (key.isEmpty() || key.charAt(0) != '/') {
            return new ScriptSplit(urlPath, "");
        }
        if (!urlPath.startsWith(key)) {
            return null;
        }
        if (fixRootScriptname && key.equals("/")) {
            return new ScriptSplit("", urlPath);
        }
        int slash = urlPath.indexOf('/', key.length());
        if (slash < 0) {
            return new ScriptSplit(urlPath, "");
        }
        return new ScriptSplit(urlPath.substring(0, slash), urlPath.substring(slash));
    }

    /** Builds the environment of {@code exchange}'s request as {@code options} say. */
    public static Result build(Exchange exchange, CgiEnvOptions options) {
        Request request = exchange.request();
        RequestConfig config = exchange.config();
        PhysicalPath physical = exchange.physical();
        boolean extendedConnect = isExtendedConnect(request);
        List<CgiVariable> env = new ArrayList<>(32);

        // CONTENT_LENGTH first: SCGI requires it there.
        if (!options.authorizer()) {
            long length = options.contentLength() >= 0 ? options.contentLength() : Math.max(0, request.contentLength());
            env.add(new CgiVariable("CONTENT_LENGTH", Long.toString(length)));
        }
        env.add(new CgiVariable("QUERY_STRING", request.query()));
        env.add(new CgiVariable("REQUEST_URI", stripRequestUri(request.target(), options.stripRequestUri())));
        // REDIRECT_URI would follow for a rewritten target: lightgate has no URL rewriting yet.
        env.add(new CgiVariable("REDIRECT_STATUS", "200"));

        String documentRoot = physical != null ? physical.docRootText() : orEmpty(config.get(ServerKeys.DOCUMENT_ROOT));
        String docroot = options.docroot() == null || options.docroot().isEmpty() ? null : options.docroot();
        if (!options.authorizer()) {
            env.add(new CgiVariable("SCRIPT_NAME", options.scriptName()));
            if (!options.pathInfo().isEmpty()) {
                env.add(new CgiVariable("PATH_INFO", options.pathInfo()));
                env.add(new CgiVariable("PATH_TRANSLATED",
                        joinPath(docroot != null ? docroot : documentRoot, options.pathInfo())));
            }
        }
        if (docroot != null) {
            env.add(new CgiVariable("SCRIPT_FILENAME", joinPath(docroot, options.scriptName())));
            env.add(new CgiVariable("DOCUMENT_ROOT", docroot));
        } else {
            String file = options.scriptFilename() != null ? options.scriptFilename()
                    : physical != null ? physical.path().toString()
                    : joinPath(documentRoot, options.scriptName());
            if (options.brokenScriptFilename()) {
                file = joinPath(file, options.pathInfo());
            }
            env.add(new CgiVariable("SCRIPT_FILENAME", file));
            env.add(new CgiVariable("DOCUMENT_ROOT", documentRoot));
        }

        env.add(new CgiVariable("REQUEST_METHOD", extendedConnect ? "GET" : request.method()));
        env.add(new CgiVariable("SERVER_PROTOCOL",
                extendedConnect ? Request.Protocol.HTTP_1_1.text() : request.protocol().text()));
        String tag = config.get(ServerKeys.TAG);
        env.add(new CgiVariable("SERVER_SOFTWARE", tag == null ? Version.tag() : tag));
        env.add(new CgiVariable("GATEWAY_INTERFACE", "CGI/1.1"));
        env.add(new CgiVariable("REQUEST_SCHEME", request.scheme()));
        if ("https".equals(request.scheme())) {
            env.add(new CgiVariable("HTTPS", "on"));
        }
        SocketAddress local = request.localAddress();
        env.add(new CgiVariable("SERVER_PORT", Integer.toString(port(local))));
        String serverAddr = addressText(local);
        env.add(new CgiVariable("SERVER_ADDR", serverAddr));
        String serverName = config.get(ServerKeys.NAME);
        if (serverName == null || serverName.isEmpty()) {
            serverName = request.host();
        }
        serverName = serverName == null || serverName.isEmpty() ? serverAddr : withoutPort(serverName);
        env.add(new CgiVariable("SERVER_NAME", serverName));
        env.add(new CgiVariable("REMOTE_ADDR", addressText(request.remoteAddress())));
        env.add(new CgiVariable("REMOTE_PORT", Integer.toString(port(request.remoteAddress()))));
        String contentType = request.headers().get("Content-Type");
        if (contentType != null && !contentType.isEmpty()) {
            env.add(new CgiVariable("CONTENT_TYPE", contentType));
        }

        Map<String, String> nameOfVariable = new HashMap<>();
        if (extendedConnect && options.upgradeAllowed()) {
            // an h2 extended CONNECT is shown to the program as the HTTP/1.1 upgrade it stands for (§5.3)
            env.add(new CgiVariable("HTTP_UPGRADE", "websocket"));
            env.add(new CgiVariable("HTTP_CONNECTION", "upgrade"));
            nameOfVariable.put("HTTP_UPGRADE", "upgrade");
            nameOfVariable.put("HTTP_CONNECTION", "connection");
            if (!request.headers().contains("Sec-WebSocket-Key")) {
                env.add(new CgiVariable("HTTP_SEC_WEBSOCKET_KEY", SYNTHETIC_WEBSOCKET_KEY));
                nameOfVariable.put("HTTP_SEC_WEBSOCKET_KEY", "sec-websocket-key");
            }
        }
        for (Map.Entry<String, String> header : mergedHeaders(request).entrySet()) {
            String lower = header.getKey();
            String value = header.getValue();
            if (value.isEmpty() || lower.startsWith(":") || lower.equals("content-type")
                    || lower.equals("content-length")
                    || lower.equals("proxy") // httpoxy: a program may take HTTP_PROXY as its outgoing proxy
                    || lower.equals("upgrade") && !options.upgradeAllowed()) {
                continue;
            }
            String name = variableName("HTTP_", lower);
            String earlier = nameOfVariable.putIfAbsent(name, lower);
            if (earlier != null && options.flavor() == CgiEnvOptions.Flavor.GATEWAY) {
                return new Collision(name, earlier, lower);
            }
            env.add(new CgiVariable(name, value));
        }
        for (CgiVariable v : options.requestEnv()) {
            if (!v.name().isEmpty() && !v.value().isEmpty()) {
                env.add(new CgiVariable(variableName("", v.name()), v.value()));
            }
        }
        return new Built(env);
    }

    /**
     * What mod_cgi adds from lightgate's own environment: {@code LD_PRELOAD} and {@code LD_LIBRARY_PATH} when set,
     * and nothing else (no {@code PATH}), in that order.
     */
    public static List<CgiVariable> inheritedForCgi(Map<String, String> ownEnvironment) {
        List<CgiVariable> out = new ArrayList<>(2);
        for (String name : List.of("LD_PRELOAD", "LD_LIBRARY_PATH")) {
            String value = ownEnvironment.get(name);
            if (value != null) {
                out.add(new CgiVariable(name, value));
            }
        }
        return out;
    }

    /** Whether the request is an HTTP/2 extended CONNECT (RFC 8441); plain CONNECT never reaches a CGI module. */
    public static boolean isExtendedConnect(Request request) {
        return request.protocol() == Request.Protocol.HTTP_2 && request.method().equals("CONNECT");
    }

    /** {@code prefix} + upper-cased {@code name}, letters upper-cased, digits kept, everything else '_'. */
    static String variableName(String prefix, String name) {
        StringBuilder b = new StringBuilder(prefix.length() + name.length()).append(prefix);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= 'a' && c <= 'z') {
                b.append((char) (c - 32));
            } else if (c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
                b.append(c);
            } else {
                b.append('_');
            }
        }
        return b.toString();
    }

    /** The headers by lower-cased name in first-seen order, repeated fields joined as lighttpd joins them. */
    private static Map<String, String> mergedHeaders(Request request) {
        Map<String, String> merged = new LinkedHashMap<>();
        var it = request.headers().iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            String lower = e.getKey().toString().toLowerCase(Locale.ROOT);
            String value = e.getValue().toString();
            String earlier = merged.get(lower);
            if (earlier == null || earlier.isEmpty()) {
                merged.put(lower, value);
            } else if (!value.isEmpty()) {
                merged.put(lower, earlier + (lower.equals("cookie") ? "; " : ", ") + value);
            }
        }
        return merged;
    }

    /** REQUEST_URI without the strip prefix, when the target starts with it followed by '/'. */
    static String stripRequestUri(String target, String strip) {
        if (strip == null) {
            return target;
        }
        String prefix = strip.endsWith("/") ? strip.substring(0, strip.length() - 1) : strip;
        if (prefix.isEmpty() || !target.startsWith(prefix) || target.length() == prefix.length()
                || target.charAt(prefix.length()) != '/') {
            return target;
        }
        return target.substring(prefix.length());
    }

    /** {@code base} and {@code tail} joined by exactly one '/'. */
    static String joinPath(String base, String tail) {
        if (tail.isEmpty()) {
            return base;
        }
        boolean baseSlash = base.endsWith("/");
        boolean tailSlash = tail.startsWith("/");
        if (baseSlash && tailSlash) {
            return base + tail.substring(1);
        }
        return baseSlash || tailSlash ? base + tail : base + "/" + tail;
    }

    /** A Host or server.name without its port ("[::1]:80" gives "[::1]"). */
    static String withoutPort(String host) {
        if (host.startsWith("[")) {
            int end = host.indexOf("]:");
            return end < 0 ? host : host.substring(0, end + 1);
        }
        int colon = host.indexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }

    /** The IP as inet_ntop writes it (IPv6 compressed, no brackets); "" for a unix socket. */
    private static String addressText(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return NetUtil.toAddressString(inet.getAddress());
        }
        return "";
    }

    private static int port(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? inet.getPort() : 0;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
