package io.lightgate.modules.proxy;

import io.lightgate.gateway.BackendConnection;
import io.lightgate.gateway.BackendTimeoutException;
import io.lightgate.gateway.ConnectListener;
import io.lightgate.gateway.HostConfig;
import io.lightgate.gateway.RelayedBody;
import io.lightgate.gateway.Route;
import io.lightgate.gateway.Tunnel;
import io.lightgate.http.ByteStream;
import io.lightgate.http.Exchange;
import io.lightgate.http.Request;
import io.lightgate.http.RequestBody;
import io.lightgate.http.Response;
import io.lightgate.http.UpgradeHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * One proxied request, one state machine: connect, send the head and stream the request body (paused while the
 * backend is not writable), parse the response, then either relay it as a streamed body (backend reads paused
 * while the client is not writable) or, for an allowed upgrade answered with 101, relay the 101 and join the two
 * connections with {@link Tunnel}. Failures follow reference §2.5: 503 when no backend can be reached, 504 on a
 * read/write timeout before the head, 500 when the backend closes without a byte, 502 for a malformed or
 * incomplete head; once the head was relayed a failure aborts the body (the client sees a truncated response,
 * never one that looks complete). Runs on the exchange's event loop.
 */
final class ProxyRequest implements ConnectListener, BackendResponseParser.Handler, RelayedBody.Owner {

    private enum State {
        /** Waiting for a backend connection. */
        CONNECTING,
        /** Head sent; waiting for the backend's response head. */
        AWAITING_HEAD,
        /** The response head went to the client; its body is being relayed. */
        RELAYING,
        /** A 101 went to the core; waiting for the client's byte stream. */
        SWITCHING,
        /** Done: answered, tunnelled, failed or abandoned. Nothing more happens here. */
        DONE
    }

    private final ProxyModule.Settings settings;
    private final Exchange ex;
    /** The body for the backend: the client's, or the spooled copy of a chunked one (force-http10). */
    private final RequestBody body;
    private final Route route;
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private State state = State.CONNECTING;
    private BackendConnection backend;
    private BackendResponseParser parser;
    private boolean upgrade;
    private boolean headRequest;
    /** The request body is being streamed to the backend (listen called, not ended). */
    private RequestBody requestBody;
    private boolean requestBodyDone = true;
    private final RelayedBody responseBody = new RelayedBody(this);
    private boolean backendEnded;
    private boolean backendClosed;
    private boolean chunkedUpload;
    private boolean keepAlive;
    private boolean retried;

    ProxyRequest(ProxyModule.Settings settings, Exchange ex, RequestBody body, Route route) {
        this.settings = settings;
        this.ex = ex;
        this.body = body;
        this.route = route;
    }

    void start() {
        headRequest = ex.request().method().equals("HEAD");
        ex.onClientGone(this::clientGone);
        keepAlive = settings.keepAlive(body.length());
        settings.connector(body.length()).connect(route, ex, this);
    }

    // ---- connecting ------------------------------------------------------------------------------------

    @Override
    public void connected(BackendConnection connection) {
        if (state == State.DONE) {
            connection.close(); // the client left while we connected
            return;
        }
        backend = connection;
        Request req = ex.request();
        HostConfig host = connection.host();
        long bodyLength = body.length();
        upgrade = settings.upgradeAllowed(req, bodyLength, host);
        chunkedUpload = bodyLength == -2;
        String head = BackendRequestHead.build(new BackendRequestHead.Inputs(req,
                settings.backendTarget(req), settings.backendHost(req, host), settings.forceHttp10(),
                upgrade, keepAlive && !upgrade, settings.forwarded(), bodyLength));
        state = State.AWAITING_HEAD;
        debug("request " + req.method() + " " + req.target() + " sent to " + host.address()
                + (upgrade ? " (upgrade allowed)" : ""));
        parser = new BackendResponseParser(headRequest, alloc, this);
        backend.write(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.ISO_8859_1)));
        backend.flush();
        backend.listen(new BackendSide(connection));
        if (state != State.DONE && (bodyLength > 0 || bodyLength == -2)) {
            requestBodyDone = false;
            requestBody = body;
            requestBody.listen(new BodyToBackend());
        }
    }

    @Override
    public void failed(int status, String why) {
        if (state == State.DONE) {
            return;
        }
        debug("no backend for " + ex.request().target() + ": " + why);
        state = State.DONE;
        ex.respondError(status);
    }

    // ---- request body to the backend --------------------------------------------------------------------

    /** The client's request body, streamed to the backend. */
    private final class BodyToBackend implements RequestBody.Listener {
        @Override
        public void onData(ByteBuf data) {
            bodyData(data);
        }

        @Override
        public void onEnd() {
            bodyEnd();
        }

        @Override
        public void onFailed(Throwable cause) {
            bodyFailed(cause);
        }
    }

    private void bodyData(ByteBuf data) {
        if (bodyDiscarded || state == State.DONE || backendClosed || !data.isReadable()) {
            data.release();
            return;
        }
        if (chunkedUpload) {
            backend.write(Unpooled.copiedBuffer(Integer.toHexString(data.readableBytes()) + "\r\n",
                    StandardCharsets.ISO_8859_1));
            backend.write(data);
            backend.write(Unpooled.wrappedBuffer(CRLF));
        } else {
            backend.write(data);
        }
        backend.flush();
        if (!backend.isWritable()) {
            requestBody.setReadable(false);
        }
    }

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    private void bodyEnd() {
        requestBodyDone = true;
        if (bodyDiscarded || backendClosed) {
            return;
        }
        if (chunkedUpload) {
            backend.write(Unpooled.wrappedBuffer(LAST_CHUNK));
            backend.flush();
        }
        if (responseBody.complete()) {
            finishBackend();
        }
    }

    private void bodyFailed(Throwable cause) {
        requestBodyDone = true;
        debug("request body of " + ex.request().target() + " failed: " + cause.getMessage());
        // the core answers (413) or the client is gone; the backend got a partial body and must not keep it
        if (state == State.RELAYING) {
            responseBody.abort("request body failed: " + cause.getMessage()); // now, or when the body starts
        }
        abandon();
        closeBackend();
    }

    // ---- backend events ------------------------------------------------------------------------------

    /** Events of one backend connection; those of a connection given up for a retry are ignored. */
    private final class BackendSide implements ByteStream.Listener {
        private final BackendConnection connection;

        BackendSide(BackendConnection connection) {
            this.connection = connection;
        }

        private boolean current() {
            return connection == backend;
        }

        @Override
        public void onData(ByteBuf data) {
            if (!current() || parser == null) {
                data.release();
                return;
            }
            parser.feed(data);
        }

        @Override
        public void onEndOfInput() {
            if (!current() || retryOnFreshConnection()) {
                return;
            }
            backendEnded = true;
            if (state == State.AWAITING_HEAD || state == State.RELAYING) {
                parser.endOfInput();
            }
        }

        @Override
        public void onWritabilityChanged(boolean writable) {
            if (current() && requestBody != null && !requestBodyDone && state != State.DONE) {
                requestBody.setReadable(writable);
            }
        }

        @Override
        public void onFailed(Throwable cause) {
            if (current() && !retryOnFreshConnection()) {
                backendFailed(cause);
            }
        }

        @Override
        public void onClosed() {
            if (!current() || retryOnFreshConnection()) {
                return;
            }
            backendClosed = true;
            if ((state == State.AWAITING_HEAD || state == State.RELAYING) && !backendEnded) {
                // closed without EOF or failure first: the response cannot complete
                backendEnded = true;
                parser.endOfInput();
            }
            if (parser != null && state != State.SWITCHING) {
                parser.release();
            }
        }
    }

    /**
     * A pooled connection that the backend closed while it was idle (EOF, reset or a failed write before any
     * response byte) is not the backend's answer: the request (which has no body) goes once more on a fresh
     * connection. Returns whether that happened.
     */
    private boolean retryOnFreshConnection() {
        if (!backend.reused() || retried || state != State.AWAITING_HEAD || parser.anyByte()) {
            return false;
        }
        retried = true;
        BackendConnection dead = backend;
        backend = null;
        parser.release();
        parser = null;
        state = State.CONNECTING;
        debug("pooled connection to " + dead.host().address() + " was closed by the backend; retrying "
                + ex.request().target() + " on a new connection");
        dead.closeAbnormally();
        settings.fresh().connect(route, ex, this);
        return true;
    }

    private void backendFailed(Throwable cause) {
        String why = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        switch (state) {
            case AWAITING_HEAD -> {
                int status = cause instanceof BackendTimeoutException ? 504 : parser.anyByte() ? 502 : 500;
                log("backend " + backend.host().address() + " failed before its response head for "
                        + ex.request().target() + ": " + why + " -> " + status);
                answerError(status);
            }
            case RELAYING -> abort("backend failed mid-body: " + why);
            default -> { }
        }
    }

    // ---- response parsing ----------------------------------------------------------------------------

    @Override
    public void head(BackendResponseHead head) {
        if (state != State.AWAITING_HEAD) {
            return;
        }
        if (head.framing() == BackendResponseHead.Framing.SWITCH) {
            switchProtocols(head);
            return;
        }
        Response response = new Response(head.status());
        ResponseHeaders.copy(head.headers(), response.headers(), false);
        settings.rewriteResponse(ex.request(), backend.host(), response.headers());
        state = State.RELAYING;
        debug("backend answered " + head.status() + " for " + ex.request().target());
        Response.Body body;
        ByteBuf whole;
        boolean empty = head.framing() == BackendResponseHead.Framing.LENGTH && head.contentLength() == 0;
        if ((head.framing() == BackendResponseHead.Framing.NONE || empty) && !headRequest) {
            body = Response.Body.EMPTY; // 204, 304 and Content-Length: 0 carry no body
        } else if (!headRequest && (whole = parser.takeWholeBody(WHOLE_BODY_LIMIT)) != null) {
            // the whole body came with the head: it goes out with it in one write, as a static file would
            body = new Response.Bytes(whole);
        } else if (head.framing() == BackendResponseHead.Framing.NONE) {
            String length = head.headers().get("Content-Length");
            body = new Response.Streamed(length == null ? -1 : Long.parseLong(length), responseBody);
        } else {
            body = new Response.Streamed(head.framing() == BackendResponseHead.Framing.LENGTH
                    ? head.contentLength() : -1, responseBody);
        }
        keepAliveHead = head.keepAlive();
        streamedBody = body instanceof Response.Streamed;
        ex.respond(response.body(body));
    }

    /** Largest body sent as one buffer with its head when it arrived whole with the head (one read's worth). */
    static final int WHOLE_BODY_LIMIT = 64 * 1024;

    private boolean keepAliveHead;
    private boolean streamedBody;

    @Override
    public void content(ByteBuf data) {
        if (state != State.RELAYING) {
            data.release();
            return;
        }
        responseBody.write(data);
    }

    @Override
    public void end() {
        if (state != State.RELAYING) {
            state = State.DONE;
            return;
        }
        responseBody.end();
        if (!streamedBody) {
            state = State.DONE; // the whole answer went with its head
        }
        if (requestBodyDone) {
            finishBackend();
        } else {
            // the backend answered before the whole body arrived: the rest is read from the client and dropped
            bodyDiscarded = true;
            closeBackend();
            requestBody.setReadable(true);
        }
    }

    private boolean bodyDiscarded;

    @Override
    public void malformed(String why) {
        switch (state) {
            case AWAITING_HEAD -> {
                int status = parser.anyByte() ? 502 : 500;
                log("backend " + backend.host().address() + " for " + ex.request().target() + ": " + why
                        + " -> " + status);
                answerError(status);
            }
            case RELAYING -> abort(why);
            default -> { }
        }
    }

    private void answerError(int status) {
        state = State.DONE;
        ex.respondError(status);
        closeBackend();
    }

    private void abort(String why) {
        log("response for " + ex.request().target() + " cut short: " + why);
        responseBody.abort(why);
        closeBackend();
    }

    // ---- the client side of the response body ---------------------------------------------------------

    @Override
    public void setBackendReadable(boolean readable) {
        backend.setReadable(readable);
    }

    @Override
    public boolean backendClosed() {
        return backendClosed; // also once recycled: the connection is no longer ours
    }

    @Override
    public void relayDone() {
        state = State.DONE;
    }

    // ---- upgrade -------------------------------------------------------------------------------------

    private void switchProtocols(BackendResponseHead head) {
        if (!upgrade || !head.headers().contains("Upgrade")) {
            malformed(upgrade ? "101 without Upgrade from the backend" : "101 from the backend to a request without upgrade");
            return;
        }
        state = State.SWITCHING;
        backend.setReadable(false);
        Response switching = new Response(101);
        ResponseHeaders.copy(head.headers(), switching.headers(), true);
        debug("backend switched protocols for " + ex.request().target() + " to " + head.headers().get("Upgrade"));
        ex.upgrade(switching, new UpgradeHandler() {
            @Override
            public void upgraded(ByteStream client) {
                joinTunnel(client);
            }

            @Override
            public void refused() {
                state = State.DONE;
                parser.release();
                closeBackend();
            }
        });
    }

    private void joinTunnel(ByteStream client) {
        state = State.DONE;
        ByteBuf leftover = parser.takeLeftover();
        if (leftover.isReadable()) {
            client.write(leftover); // what the backend sent right after its 101 goes first
        } else {
            leftover.release();
        }
        client.flush();
        if (backendClosed) {
            // the backend is gone (a half-close alone is replayed to the tunnel by listen); the tunnel would
            // never hear of it again
            client.close();
            closeBackend();
            return;
        }
        Tunnel.join(client, backend, ex.config());
        backend.setReadable(client.isWritable());
    }

    /** The client left before we answered: the backend (connected or not yet) has no one to serve. */
    private void clientGone() {
        if (state == State.CONNECTING || state == State.AWAITING_HEAD) {
            debug("client left before the answer for " + ex.request().target());
            abandon();
            closeBackend();
        }
    }

    // ---- endings -------------------------------------------------------------------------------------

    /** The exchange is answered or abandoned; nothing more is relayed. */
    private void abandon() {
        state = State.DONE;
        responseBody.releaseHeld();
    }

    private void finishBackend() {
        if (backendClosed) {
            return;
        }
        if (parser.complete() && !parser.extraBytes() && keepAliveHead && keepAlive && !upgrade) {
            settings.connector(body.length()).recycle(backend, settings.keepAliveIdle());
        } else {
            backend.close();
        }
        backendClosed = true; // no longer ours: a pooled connection may already serve another request
    }

    @Override
    public void closeBackend() {
        if (backend != null && !backendClosed) {
            backend.close();
        }
    }

    private void debug(String message) {
        if (settings.debug() > 0) {
            ex.errorLog().write(ProxyModule.NAME, message);
        }
    }

    private void log(String message) {
        ex.errorLog().write(ProxyModule.NAME, message);
    }
}
