package io.lightgate.modules.accesslog;

import io.lightgate.http.Exchange;
import io.lightgate.http.PhysicalPath;
import io.lightgate.http.Request;
import io.lightgate.http.Response;
import io.lightgate.server.ServerKeys;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.SocketAddress;
import java.time.Instant;

/**
 * Everything one access log line can print, taken from a finished exchange.
 *
 * @param status        the response status, or -1 when the connection ended before any response
 * @param bodyBytes     response body bytes sent (%b)
 * @param bytesIn       request bytes received (%I), as the core counts them
 * @param bytesOut      response bytes sent (%O), as the core counts them
 * @param responseHeaders null when there was no response
 * @param physicalPath  the file the request mapped to, or null
 * @param serverName    {@code server.name} in force, or null
 * @param end           when the request finished (wall clock)
 * @param elapsedNanos  monotonic time from request start to finish
 * @param keptAlive     whether the connection stays open after this response (%X)
 */
public record AccessEntry(Request request, int status, long bodyBytes, long bytesIn, long bytesOut,
                          HttpHeaders responseHeaders, String physicalPath, String serverName,
                          Instant end, long elapsedNanos, boolean keptAlive) {

    /** The entry for a finished exchange; {@code response} is null when none was sent. */
    public static AccessEntry of(Exchange exchange, Response response, long bytesIn, long bytesOut) {
        Request request = exchange.request();
        PhysicalPath physical = exchange.physical();
        int status = response == null ? -1 : response.status();
        return new AccessEntry(request, status, bodyBytes(request, response, bytesOut), bytesIn, bytesOut,
                response == null ? null : response.headers(),
                physical == null ? null : physical.text(),
                exchange.config().get(ServerKeys.NAME), Instant.now(),
                System.nanoTime() - request.startNanos(), keptAlive(request, response));
    }

    /**
     * Body bytes sent: none for HEAD and for statuses without a body; otherwise the body's length,
     * capped by what the core reports as sent (a cut-off transfer logs what went out).
     */
    static long bodyBytes(Request request, Response response, long bytesOut) {
        if (response == null || request.method().equals("HEAD")) {
            return 0;
        }
        int s = response.status();
        if (s < 200 || s == 204 || s == 304) {
            return 0;
        }
        return Math.max(0, Math.min(response.body().length(), bytesOut));
    }

    /**
     * Whether the connection is kept open: the contracts carry no flag, so this follows HTTP's own rules
     * (RFC 9112 §9.3) on the request and on the response the core finished.
     */
    static boolean keptAlive(Request request, Response response) {
        if (response == null) {
            return false;
        }
        HttpHeaders rq = request.headers();
        HttpHeaders rs = response.headers();
        if (rs.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true)
                || rq.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true)) {
            return false;
        }
        if (request.protocol() == Request.Protocol.HTTP_1_0) {
            return rq.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE, true);
        }
        return true;
    }

    SocketAddress remote() { return request.remoteAddress(); }
}
