package io.lightgate.gateway.cgi;

import io.lightgate.gateway.BackendTimeoutException;
import io.lightgate.http.ByteStream;
import io.lightgate.http.Exchange;
import io.lightgate.http.Module;
import io.lightgate.http.Response;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One FastCGI authorizer call (role AUTHORIZER; lighttpd's gw_authorizer_ok): no request body goes to the
 * backend; its whole answer is read (head and a body of at most {@link #MAX_BODY} bytes). 200 allows the request:
 * each {@code Variable-NAME} header becomes the request variable NAME for the backends that follow, and the request
 * is passed on to the next handler ({@link Exchange#passOn}). Any other answer goes to the client as it is.
 * Failures as for a responder: 504 on a timeout, 500 when the backend ends without a byte, 502 for a broken head.
 */
final class AuthorizerExchange implements ByteStream.Listener {
    /** Largest authorizer body relayed to the client (a denial page); more is a 502. */
    static final int MAX_BODY = 1024 * 1024;
    private static final String VARIABLE_PREFIX = "variable-";
    private static final Set<String> NOT_RELAYED = Set.of("connection", "keep-alive", "proxy-connection",
            "transfer-encoding", "content-length", "te", "trailer", "upgrade");

    private final Exchange ex;
    private final CgiBackend backend;
    private final Module owner;
    private final String logSource;
    private final String script;
    private final CgiResponseParser parser = new CgiResponseParser(ByteBufAllocator.DEFAULT);
    private CompositeByteBuf body;
    private boolean done;

    private AuthorizerExchange(Exchange ex, CgiBackend backend, Module owner, String logSource, String script) {
        this.ex = ex;
        this.backend = backend;
        this.owner = owner;
        this.logSource = logSource;
        this.script = script;
    }

    static void start(Exchange ex, CgiBackend backend, Module owner, String logSource, String script) {
        AuthorizerExchange a = new AuthorizerExchange(ex, backend, owner, logSource, script);
        ex.onClientGone(a::clientGone);
        backend.listen(a);
        backend.endRequestBody();
        backend.flush();
    }

    @Override
    public void onData(ByteBuf data) {
        if (done) {
            data.release();
            return;
        }
        if (parser.head() == null) {
            CgiResponseParser.Progress p = parser.feed(data);
            if (p == CgiResponseParser.Progress.MALFORMED) {
                fail(502, "malformed head: " + parser.malformedReason());
            } else if (p == CgiResponseParser.Progress.HEAD) {
                appendBody(parser.takeLeftover());
            }
        } else {
            appendBody(data);
        }
    }

    private void appendBody(ByteBuf data) {
        if (body == null) {
            body = ByteBufAllocator.DEFAULT.compositeBuffer();
        }
        body.addComponent(true, data);
        if (body.readableBytes() > MAX_BODY) {
            fail(502, "authorizer answer body over " + MAX_BODY + " bytes");
        }
    }

    @Override
    public void onEndOfInput() {
        if (done) {
            return;
        }
        if (parser.head() == null) {
            CgiResponseParser.Progress p = parser.endOfInput();
            if (p == CgiResponseParser.Progress.MALFORMED) {
                fail(parser.anyByte() ? 502 : 500, parser.anyByte()
                        ? "malformed head: " + parser.malformedReason() : "ended without a byte");
                return;
            }
            appendBody(parser.takeLeftover());
            if (done) {
                return;
            }
        }
        finish(parser.head());
    }

    @Override
    public void onWritabilityChanged(boolean writable) {
        // nothing is written after the (empty) request
    }

    @Override
    public void onFailed(Throwable cause) {
        if (!done) {
            fail(cause instanceof BackendTimeoutException ? 504 : parser.anyByte() ? 502 : 500,
                    String.valueOf(cause.getMessage()));
        }
    }

    @Override
    public void onClosed() {
        if (!done) {
            onEndOfInput();
        }
        releaseAll();
    }

    private void finish(CgiResponseHead head) {
        done = true;
        backend.close();
        if (head.status() == 200) {
            Map<String, String> env = ex.environment();
            for (Map.Entry<String, String> h : head.headers()) {
                String name = h.getKey();
                if (name.length() > VARIABLE_PREFIX.length()
                        && name.regionMatches(true, 0, VARIABLE_PREFIX, 0, VARIABLE_PREFIX.length())) {
                    try {
                        env.put(name.substring(VARIABLE_PREFIX.length()), h.getValue());
                    } catch (UnsupportedOperationException e) {
                        break; // the protocol layer keeps no variables; the request still goes on
                    }
                }
            }
            releaseAll();
            ex.passOn(owner);
            return;
        }
        Response r = new Response(head.status());
        for (Map.Entry<String, String> h : head.headers()) {
            String lower = h.getKey().toLowerCase(Locale.ROOT);
            if (!NOT_RELAYED.contains(lower) && !lower.startsWith(VARIABLE_PREFIX)) {
                r.headers().add(h.getKey(), h.getValue());
            }
        }
        if (body != null && body.isReadable()) {
            r.body(new Response.Bytes(body));
            body = null;
        }
        releaseAll();
        ex.respond(r);
    }

    private void fail(int status, String why) {
        done = true;
        ex.errorLog().write(logSource, "authorizer " + script + " for " + ex.request().target() + ": " + why);
        backend.closeAbnormally();
        releaseAll();
        ex.respondError(status);
    }

    private void clientGone() {
        if (!done) {
            done = true;
            backend.closeAbnormally();
            releaseAll();
        }
    }

    private void releaseAll() {
        parser.release();
        if (body != null) {
            body.release();
            body = null;
        }
    }
}
