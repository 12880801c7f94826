package io.lightgate.gateway.cgi;

import io.lightgate.gateway.BackendTimeoutException;
import io.lightgate.gateway.RelayedBody;
import io.lightgate.gateway.Tunnel;
import io.lightgate.http.ByteStream;
import io.lightgate.http.Exchange;
import io.lightgate.http.RequestBody;
import io.lightgate.http.Response;
import io.lightgate.http.UpgradeHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One request answered by a CGI program over a {@link CgiBackend} (mod_cgi's pipes, an SCGI socket, FastCGI
 * records), one state machine: the request body is streamed to the program (client reads paused while the
 * program's stdin is full), its output is parsed with {@link CgiResponseParser}, then either relayed as a streamed
 * body (program reads paused while the client is not writable) or, for an allowed upgrade answered with 101 and
 * {@code Upgrade}, relayed as the 101 and joined to the client with a {@link Tunnel}. For an upgrade candidate the
 * end of the request body is held back until the program's head arrived and was not a 101 (lighttpd keeps the
 * CGI's stdin open the same way).
 * <p>Failures (reference §2.5, §5.2): a timeout before the head gives 504; output that ends without a byte 500
 * (lighttpd's "cgi died"); a malformed or unfinished head, or a 101 that may not upgrade, 502; a failure after the
 * head aborts the body, so the client never takes a truncated body for a complete one. Each failure writes one
 * error-log line naming the script. When the client leaves, the backend is closed (mod_cgi's backend then
 * terminates the program). Start on the exchange's event loop; the backend must live on the same loop.
 */
public final class CgiExchange {

    /**
     * How one request is to be answered.
     *
     * @param logSource         the error-log source ("mod_cgi", "mod_fastcgi", ...)
     * @param script            what failure lines name: the script's path or the backend
     * @param upgradeAllowed    the request is an upgrade candidate (the module allows upgrades and the request carries
     *                          Upgrade): the body's end waits for the head, and a 101 with Upgrade opens a tunnel
     * @param clientHalfClose   what the client's half-close does in a tunnel
     * @param localRedir        lighttpd's {@code cgi.local-redir}; lightgate's core has no internal re-dispatch yet, so
     *                          a local Location is answered 302 as without it (see docs/cgi.md)
     * @param xSendfile         {@code X-Sendfile} / {@code X-LIGHTTPD-send-file} name a file to send instead of the body
     * @param xSendfileDocroots directories (ending in '/') such a file must be under; empty: anywhere
     * @param debug             above 0 the head of every answer is logged
     * @param holdResponse      lighttpd's {@code server.stream-response-body = 0}: the answer is held until the program's
     *                          output ends and sent whole with its length (up to {@link #HOLD_LIMIT}; past it, streamed)
     */
    public record Options(String logSource, String script, boolean upgradeAllowed, Tunnel.ClientEof clientHalfClose,
                          boolean localRedir, boolean xSendfile, List<String> xSendfileDocroots, int debug,
                          boolean holdResponse) {
        public Options {
            xSendfileDocroots = List.copyOf(xSendfileDocroots);
        }

        /** No upgrade, no local redirect, no X-Sendfile, no debug. */
        public static Options of(String logSource, String script) {
            return new Options(logSource, script, false, Tunnel.ClientEof.CLOSE_BOTH, false, false, List.of(), 0,
                    false);
        }

        public Options withUpgrade(boolean allowed, Tunnel.ClientEof halfClose) {
            return new Options(logSource, script, allowed, halfClose, localRedir, xSendfile, xSendfileDocroots, debug,
                    holdResponse);
        }

        public Options withLocalRedir(boolean on) {
            return new Options(logSource, script, upgradeAllowed, clientHalfClose, on, xSendfile, xSendfileDocroots,
                    debug, holdResponse);
        }

        public Options withXSendfile(boolean on, List<String> docroots) {
            return new Options(logSource, script, upgradeAllowed, clientHalfClose, localRedir, on, docroots, debug,
                    holdResponse);
        }

        public Options withDebug(int level) {
            return new Options(logSource, script, upgradeAllowed, clientHalfClose, localRedir, xSendfile,
                    xSendfileDocroots, level, holdResponse);
        }

        /** {@code streamResponseBody} is lighttpd's {@code server.stream-response-body}: 0 holds the answer. */
        public Options withStreamResponseBody(int streamResponseBody) {
            return new Options(logSource, script, upgradeAllowed, clientHalfClose, localRedir, xSendfile,
                    xSendfileDocroots, debug, streamResponseBody == 0);
        }
    }

    private enum State {
        /** Waiting for the program's response head. */
        AWAITING_HEAD,
        /** The head arrived; it and the body so far are held until the output ends (or passes the hold limit). */
        HOLDING,
        /** The head went to the client; the body is being relayed. */
        RELAYING,
        /** A 101 went to the core; waiting for the client's byte stream. */
        SWITCHING,
        /** Answered, tunnelled, failed or abandoned: nothing more happens here. */
        DONE
    }

    /**
     * At most this many body bytes are held for one answer (lighttpd holds everything, spilling to temp files): an
     * answer still growing past it is streamed from then on, so a long or endless one (server-sent events) flows.
     */
    public static final int HOLD_LIMIT = 64 * 1024;

    /** Response headers the core sets itself (framing, connection management). */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
            "transfer-encoding", "content-length", "te", "trailer");

    private final Exchange ex;
    private final CgiBackend backend;
    private final Options options;
    private final CgiResponseParser parser;
    private State state = State.AWAITING_HEAD;
    private final RelayedBody responseBody = new RelayedBody(new RelayOwner());
    /** The program's bytes after its 101 head, for the tunnel. */
    private final ArrayDeque<ByteBuf> afterSwitch = new ArrayDeque<>();

    /** The body for the program's stdin: the client's, or the spooled copy of a chunked one. */
    private final RequestBody body;
    /** {@link #body} once listened to. */
    private RequestBody requestBody;
    /** The client's body has been read to its end (or there is none, or it failed). */
    private boolean bodyDone;
    /** The program's head was not a 101: the body's end may reach the program. */
    private boolean noTunnel;
    private boolean stdinEnded;
    /** The response is complete; body bytes still arriving are dropped. */
    private boolean bodyDiscarded;

    /** Body bytes still to come by the program's Content-Length; -1 without one. */
    private long remaining = -1;
    /** The program's Content-Length; -1 without one. */
    private long declaredLength = -1;
    /** While {@link State#HOLDING}: the answer, and the body bytes so far. */
    private Response heldResponse;
    private final ArrayDeque<ByteBuf> heldBody = new ArrayDeque<>();
    private long heldBytes;
    private boolean backendEnded;
    private boolean backendClosed;
    private boolean backendCloseCalled;

    private CgiExchange(Exchange ex, RequestBody body, CgiBackend backend, Options options) {
        this.ex = ex;
        this.body = body;
        this.backend = backend;
        this.options = options;
        this.parser = new CgiResponseParser(ByteBufAllocator.DEFAULT);
        this.noTunnel = !options.upgradeAllowed();
    }

    /** Drives {@code ex} over {@code backend} (freshly started, not yet listened to) until the answer is done. */
    public static CgiExchange start(Exchange ex, CgiBackend backend, Options options) {
        return start(ex, ex.requestBody(), backend, options);
    }

    /** As {@link #start(Exchange, CgiBackend, Options)} with {@code body} for the program's stdin (a spooled one). */
    public static CgiExchange start(Exchange ex, RequestBody body, CgiBackend backend, Options options) {
        CgiExchange c = new CgiExchange(ex, body, backend, options);
        c.begin();
        return c;
    }

    private void begin() {
        ex.onClientGone(this::clientGone);
        backend.listen(new BackendSide());
        if (state == State.DONE) {
            return;
        }
        long length = body.length();
        if (length > 0 || length == -2) {
            requestBody = body;
            requestBody.listen(new BodyToProgram());
        } else {
            bodyDone = true;
            endStdinWhenDue();
        }
    }

    // ---- request body to the program --------------------------------------------------------------------

    private final class BodyToProgram implements RequestBody.Listener {
        @Override
        public void onData(ByteBuf data) {
            if (bodyDiscarded || backendCloseCalled || stdinEnded || state == State.DONE) {
                data.release();
                return;
            }
            backend.write(data);
            backend.flush();
            if (!backend.isWritable()) {
                requestBody.setReadable(false);
            }
        }

        @Override
        public void onEnd() {
            bodyDone = true;
            if (bodyDiscarded) {
                return;
            }
            endStdinWhenDue();
        }

        @Override
        public void onFailed(Throwable cause) {
            bodyDone = true;
            debug("request body failed: " + cause.getMessage());
            // the core answers (413) or the client is gone; the program got a partial body and must not finish
            if (state == State.RELAYING) {
                responseBody.abort("request body failed: " + cause.getMessage()); // now, or when the body starts
            }
            abandon();
            closeBackend();
        }
    }

    private void endStdinWhenDue() {
        if (bodyDone && noTunnel && !stdinEnded && !backendClosed && !bodyDiscarded) {
            stdinEnded = true;
            backend.endRequestBody();
            backend.flush();
        }
    }

    // ---- program output ------------------------------------------------------------------------------

    private final class BackendSide implements ByteStream.Listener {
        @Override
        public void onData(ByteBuf data) {
            switch (state) {
                case AWAITING_HEAD -> headBytes(data);
                case HOLDING -> hold(data);
                case RELAYING -> content(data);
                case SWITCHING -> afterSwitch.add(data);
                case DONE -> data.release();
            }
        }

        @Override
        public void onEndOfInput() {
            backendEnded = true;
            outputEnded();
        }

        @Override
        public void onWritabilityChanged(boolean writable) {
            if (requestBody != null && !bodyDone && !bodyDiscarded) {
                requestBody.setReadable(writable);
            }
        }

        @Override
        public void onFailed(Throwable cause) {
            backendFailed(cause);
        }

        @Override
        public void onClosed() {
            backendClosed = true;
            if (!backendEnded && (state == State.AWAITING_HEAD || state == State.HOLDING
                    || state == State.RELAYING)) {
                // closed without EOF or failure first: the answer cannot complete
                backendEnded = true;
                outputEnded();
            }
            if (state != State.SWITCHING) {
                parser.release(); // what was queued for the client stays until the producer starts or is cancelled
            }
        }
    }

    private void headBytes(ByteBuf data) {
        switch (parser.feed(data)) {
            case NEED_MORE -> { }
            case HEAD -> head(parser.head());
            case MALFORMED -> answerError(502, "malformed response head: " + parser.malformedReason());
        }
    }

    private void outputEnded() {
        switch (state) {
            case AWAITING_HEAD -> {
                switch (parser.endOfInput()) {
                    case HEAD -> {
                        head(parser.head());
                        if (state == State.HOLDING) {
                            sendHeld();
                        } else if (state == State.RELAYING) {
                            bodyComplete();
                        }
                    }
                    case MALFORMED -> {
                        if (parser.anyByte()) {
                            answerError(502, "malformed response head: " + parser.malformedReason());
                        } else {
                            answerError(500, "the program ended without output");
                        }
                    }
                    case NEED_MORE -> answerError(502, "the program ended inside its response head");
                }
            }
            case HOLDING -> sendHeld();
            case RELAYING -> bodyComplete();
            default -> { }
        }
    }

    private void backendFailed(Throwable cause) {
        String why = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        switch (state) {
            case AWAITING_HEAD -> {
                int status = cause instanceof BackendTimeoutException ? 504 : parser.anyByte() ? 502 : 500;
                answerError(status, "failed before its response head: " + why);
            }
            // nothing has gone to the client yet: it gets an error status instead of a cut body
            case HOLDING -> answerError(cause instanceof BackendTimeoutException ? 504 : 502,
                    "failed before the end of its response: " + why);
            case RELAYING -> abort("failed mid-body: " + why);
            default -> { }
        }
    }

    // ---- the head ------------------------------------------------------------------------------------

    private void head(CgiResponseHead head) {
        if (head.status() == 101) {
            if (!options.upgradeAllowed()) {
                answerError(502, "101 from the program to a request that may not upgrade");
            } else {
                switchProtocols(head);
            }
            return;
        }
        noTunnel = true;
        endStdinWhenDue();
        if (options.debug() > 0) {
            log("answered " + head.status() + (head.nph() ? " (nph)" : "") + " for " + ex.request().target());
        }
        if (options.localRedir() && !head.explicitStatus() && head.location() != null
                && head.location().startsWith("/")) {
            // lighttpd re-dispatches a local redirect internally; lightgate's core cannot yet: a 302 as without it
            debug("cgi.local-redir: local redirect to " + head.location() + " answered 302 (no internal re-dispatch)");
        }
        Response response = new Response(head.status());
        copyHeaders(head.headers(), response.headers(), false);
        if (options.xSendfile()) {
            String file = head.headers().get("X-Sendfile");
            if (file == null) {
                file = head.headers().get("X-LIGHTTPD-send-file");
            }
            if (file != null) {
                sendFile(response, file);
                return;
            }
        }
        String length = head.headers().get("Content-Length");
        declaredLength = length == null ? -1 : Long.parseLong(length);
        remaining = declaredLength;
        ByteBuf leftover = parser.takeLeftover();
        if (options.holdResponse()) {
            state = State.HOLDING;
            heldResponse = response;
            hold(leftover);
            return;
        }
        state = State.RELAYING;
        ex.respond(response.body(new Response.Streamed(declaredLength, responseBody)));
        if (leftover.isReadable() || remaining == 0) {
            content(leftover);
        } else {
            leftover.release();
        }
    }

    // ---- holding the answer (server.stream-response-body = 0) ----------------------------------------------

    /** Adds program output to the held answer; sends it once complete, streams it once past the hold limit. */
    private void hold(ByteBuf data) {
        countAgainstContentLength(data);
        if (data.isReadable()) {
            heldBody.add(data);
            heldBytes += data.readableBytes();
        } else {
            data.release();
        }
        if (remaining == 0) {
            sendHeld();
        } else if (heldBytes > HOLD_LIMIT) {
            streamHeld();
        }
    }

    /** The output ended (or reached its Content-Length): the whole answer in one go, with its length. */
    private void sendHeld() {
        if (remaining > 0) {
            answerError(502, "the program's output ended " + remaining + " bytes short of its Content-Length");
            return;
        }
        state = State.DONE;
        Response response = heldResponse;
        heldResponse = null;
        ex.respond(response.body(heldBytes == 0 ? new Response.Empty() : new Response.Bytes(takeHeldBody())));
        parser.release();
        requestBodyNotNeeded();
        closeBackend();
    }

    /** The held answer outgrew the hold limit: the head and what is held go now, the rest is relayed as it comes. */
    private void streamHeld() {
        state = State.RELAYING;
        Response response = heldResponse;
        heldResponse = null;
        ex.respond(response.body(new Response.Streamed(declaredLength, responseBody)));
        heldBytes = 0;
        ByteBuf b;
        while ((b = heldBody.poll()) != null) {
            responseBody.write(b);
        }
    }

    private ByteBuf takeHeldBody() {
        if (heldBody.size() == 1) {
            return heldBody.poll();
        }
        CompositeByteBuf all = ByteBufAllocator.DEFAULT.compositeBuffer(heldBody.size());
        ByteBuf b;
        while ((b = heldBody.poll()) != null) {
            all.addComponent(true, b);
        }
        return all;
    }

    private void sendFile(Response response, String file) {
        response.headers().remove("X-Sendfile");
        response.headers().remove("X-LIGHTTPD-send-file");
        XSendfile.Result r = XSendfile.open(file, options.xSendfileDocroots());
        state = State.DONE;
        parser.release();
        closeBackend();
        switch (r) {
            case XSendfile.Opened opened -> ex.respond(response.body(opened.body()));
            case XSendfile.Refused refused -> {
                log(options.script() + ": X-Sendfile " + file + ": " + refused.why() + " -> " + refused.status());
                ex.respondError(refused.status());
            }
        }
    }

    /** Copies the program's headers, leaving out those the core frames itself and (unless {@code upgrade}) Upgrade. */
    private static void copyHeaders(HttpHeaders from, HttpHeaders to, boolean upgrade) {
        for (Map.Entry<String, String> h : from) {
            String name = h.getKey().toLowerCase(java.util.Locale.ROOT);
            if (HOP_BY_HOP.contains(name) || name.equals("upgrade") && !upgrade) {
                continue;
            }
            to.add(h.getKey(), h.getValue());
        }
    }

    // ---- the body ------------------------------------------------------------------------------------

    private void content(ByteBuf data) {
        if (responseBody.cancelled() || responseBody.complete()) {
            data.release();
            return;
        }
        countAgainstContentLength(data);
        responseBody.write(data);
        if (remaining == 0) {
            bodyComplete();
        }
    }

    /** Counts {@code data} against the program's Content-Length, cutting what lies past it (lighttpd drops it). */
    private void countAgainstContentLength(ByteBuf data) {
        if (remaining < 0) {
            return;
        }
        if (data.readableBytes() >= remaining) {
            data.writerIndex(data.readerIndex() + (int) remaining);
            remaining = 0;
        } else {
            remaining -= data.readableBytes();
        }
    }

    private void bodyComplete() {
        if (responseBody.complete()) {
            return;
        }
        responseBody.end();
        requestBodyNotNeeded();
        closeBackend();
    }

    private void requestBodyNotNeeded() {
        if (!bodyDone && requestBody != null) {
            // the program answered before the whole body arrived: the rest is read from the client and dropped
            bodyDiscarded = true;
            requestBody.setReadable(true);
        }
    }

    private final class RelayOwner implements RelayedBody.Owner {
        @Override
        public void setBackendReadable(boolean readable) {
            backend.setReadable(readable);
        }

        @Override
        public boolean backendClosed() {
            return backendClosed;
        }

        @Override
        public void closeBackend() {
            CgiExchange.this.closeBackend();
        }

        @Override
        public void relayDone() {
            state = State.DONE;
        }
    }

    // ---- upgrade -------------------------------------------------------------------------------------

    private void switchProtocols(CgiResponseHead head) {
        state = State.SWITCHING;
        backend.setReadable(false);
        Response switching = new Response(101);
        copyHeaders(head.headers(), switching.headers(), true);
        debug("switched protocols for " + ex.request().target() + " to " + head.headers().get("Upgrade"));
        ex.upgrade(switching, new UpgradeHandler() {
            @Override
            public void upgraded(ByteStream client) {
                joinTunnel(client);
            }

            @Override
            public void refused() {
                state = State.DONE;
                parser.release();
                releaseHeld();
                closeBackend();
            }
        });
    }

    private void joinTunnel(ByteStream client) {
        if (backendCloseCalled) {
            client.close(); // given up while the 101 was on its way (the request body failed)
            return;
        }
        state = State.DONE;
        backend.tunnelStarted();
        ByteBuf leftover = parser.takeLeftover();
        if (leftover.isReadable()) {
            client.write(leftover); // what the program wrote right after its head goes first
        } else {
            leftover.release();
        }
        ByteBuf b;
        while ((b = afterSwitch.poll()) != null) {
            client.write(b);
        }
        client.flush();
        if (backendEnded || backendClosed) {
            // the program's output ended with its head: nothing can flow back any more
            client.close();
            closeBackend();
            return;
        }
        Tunnel.join(client, backend, options.clientHalfClose());
        backend.setReadable(client.isWritable());
    }

    // ---- endings -------------------------------------------------------------------------------------

    /** The client left before the answer: the program has no one to serve. */
    private void clientGone() {
        if (state == State.AWAITING_HEAD || state == State.HOLDING || state == State.SWITCHING) {
            debug("client left before the answer for " + ex.request().target());
            abandon();
            closeBackend();
        }
    }

    private void answerError(int status, String why) {
        log(options.script() + ": " + why + " -> " + status);
        state = State.DONE;
        parser.release();
        dropHeldAnswer();
        ex.respondError(status);
        closeBackend();
    }

    private void abort(String why) {
        log(options.script() + ": response cut short: " + why);
        responseBody.abort(why);
        closeBackend();
    }

    private void abandon() {
        state = State.DONE;
        parser.release();
        releaseHeld();
    }

    private void closeBackend() {
        if (!backendCloseCalled) {
            backendCloseCalled = true;
            backend.close();
        }
    }

    /** Releases what is held for the client that will not get it. */
    private void releaseHeld() {
        responseBody.releaseHeld();
        ByteBuf b;
        while ((b = afterSwitch.poll()) != null) {
            b.release();
        }
        dropHeldAnswer();
    }

    private void dropHeldAnswer() {
        heldResponse = null;
        heldBytes = 0;
        ByteBuf b;
        while ((b = heldBody.poll()) != null) {
            b.release();
        }
    }

    private void debug(String message) {
        if (options.debug() > 0) {
            log(message);
        }
    }

    private void log(String message) {
        ex.errorLog().write(options.logSource(), message);
    }
}
