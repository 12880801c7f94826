package io.lightgate.config;

/**
 * What a request offers to {@code $HTTP[...]}, {@code $REQUEST_HEADER[...]} and {@code $SERVER["socket"]}
 * conditions. Filled by the protocol layer (HTTP/1.1 now, HTTP/2 later) after URL normalisation.
 */
public interface RequestFacts {
    /** {@code $HTTP["url"]}: the decoded, normalised path, without the query string. */
    String url();

    /** {@code $HTTP["host"]}: the lower-cased authority, possibly with ":port"; "" when absent. */
    String host();

    /** {@code $HTTP["remote-ip"]}: the client's address as text ("127.0.0.1", "::1"); "" for unix sockets. */
    String remoteIp();

    /** {@code $HTTP["scheme"]}: "http" or "https". */
    String scheme();

    /** {@code $HTTP["query-string"]}: the raw query without '?'; "" when absent. */
    String queryString();

    /** {@code $HTTP["request-method"]}. */
    String requestMethod();

    /**
     * A request header's value, or null when absent (compared as ""). Used for
     * {@code $REQUEST_HEADER["..."]} and for referer, user-agent, language (Accept-Language) and cookie.
     */
    String header(String name);

    /** {@code $SERVER["socket"]}: the token of the listener the request came in on, as written in the config. */
    String serverSocket();
}
