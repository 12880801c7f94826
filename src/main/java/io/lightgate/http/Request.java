package io.lightgate.http;

import io.netty.handler.codec.http.HttpHeaders;
import java.net.SocketAddress;

/**
 * A request as the modules see it, whatever protocol carried it (HTTP/1.x now, an HTTP/2 stream later).
 * The protocol layer fills it after parsing and URL normalisation. Upgrade-related headers
 * ({@code Upgrade}, {@code Connection}) are kept as received (reference §1.1) so modules can decide.
 * CONTRACT: the http work may add members; existing ones keep their meaning.
 */
public final class Request {

    /** The protocol version as lighttpd names it in SERVER_PROTOCOL. */
    public enum Protocol {
        HTTP_1_0("HTTP/1.0"), HTTP_1_1("HTTP/1.1"), HTTP_2("HTTP/2.0");

        private final String text;
        Protocol(String text) { this.text = text; }
        public String text() { return text; }
    }

    private final String method;
    private final String target;
    private final Protocol protocol;
    private final HttpHeaders headers;
    private final String path;
    private final String query;
    private final String host;
    private final String scheme;
    private final SocketAddress remoteAddress;
    private final SocketAddress localAddress;
    private final String serverSocket;
    private final long contentLength;
    private final long startNanos;
    private final long startMillis;
    private final int earlierOnConnection;

    public Request(String method, String target, Protocol protocol, HttpHeaders headers,
                   String path, String query, String host, String scheme,
                   SocketAddress remoteAddress, SocketAddress localAddress, String serverSocket,
                   long contentLength) {
        this(method, target, protocol, headers, path, query, host, scheme, remoteAddress, localAddress, serverSocket,
                contentLength, 0);
    }

    /** As above, the {@code earlierOnConnection}-th request after the first on its connection (0 for the first). */
    public Request(String method, String target, Protocol protocol, HttpHeaders headers,
                   String path, String query, String host, String scheme,
                   SocketAddress remoteAddress, SocketAddress localAddress, String serverSocket,
                   long contentLength, int earlierOnConnection) {
        this.method = method;
        this.target = target;
        this.protocol = protocol;
        this.headers = headers;
        this.path = path;
        this.query = query;
        this.host = host;
        this.scheme = scheme;
        this.remoteAddress = remoteAddress;
        this.localAddress = localAddress;
        this.serverSocket = serverSocket;
        this.contentLength = contentLength;
        this.startNanos = System.nanoTime();
        this.startMillis = System.currentTimeMillis();
        this.earlierOnConnection = earlierOnConnection;
    }

    /** How many requests came before this one on its connection: 0 for the first (accesslog's %k). */
    public int earlierOnConnection() { return earlierOnConnection; }

    /** The method as sent ("GET"); an HTTP/2 extended CONNECT keeps "CONNECT". */
    public String method() { return method; }
    /** The request-target as received, undecoded, with the query ("/a%20b?x=1"). */
    public String target() { return target; }
    public Protocol protocol() { return protocol; }
    /** Every request header as received (names case-insensitive). */
    public HttpHeaders headers() { return headers; }
    /** The decoded, normalised path ("/a b"), the input of {@code $HTTP["url"]} and of the physical path. */
    public String path() { return path; }
    /** The raw query string without '?', or "" when there is none. */
    public String query() { return query; }
    /** The lower-cased authority from Host (or the absolute URI / :authority), "" when absent. */
    public String host() { return host; }
    public String scheme() { return scheme; }
    public SocketAddress remoteAddress() { return remoteAddress; }
    public SocketAddress localAddress() { return localAddress; }
    /** The token of the listener the request came in on, as {@code $SERVER["socket"]} compares it. */
    public String serverSocket() { return serverSocket; }
    /** The request body length: -1 for none, -2 for chunked/unknown. */
    public long contentLength() { return contentLength; }
    public long startNanos() { return startNanos; }
    public long startMillis() { return startMillis; }
}
