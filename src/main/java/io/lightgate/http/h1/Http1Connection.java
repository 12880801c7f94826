package io.lightgate.http.h1;

import io.lightgate.config.RequestConfig;
import io.lightgate.http.Cumulation;
import io.lightgate.http.GracefulShutdown;
import io.lightgate.http.Module;
import io.lightgate.http.Request;
import io.lightgate.http.RequestTarget;
import io.lightgate.http.RequestPipeline;
import io.lightgate.http.Response;
import io.lightgate.http.SimpleRequestFacts;
import io.lightgate.http.Site;
import io.lightgate.http.UpgradeHandler;
import io.lightgate.http.UrlPath;
import io.lightgate.server.ServerKeys;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelProgressiveFuture;
import io.netty.channel.ChannelProgressiveFutureListener;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/1.x connection: feeds received bytes to the {@link Http1RequestParser}, runs one request at a
 * time through the {@link RequestPipeline} (pipelined requests wait in the buffer, so responses stay in
 * order), hands request bodies to the module that listens ({@link Http1RequestBody}; unread ones are discarded
 * after the response), streams produced response bodies ({@link Http1BodySink}), decides keep-alive, and
 * enforces lighttpd's idle limits. Everything runs on the channel's event loop.
 */
public final class Http1Connection extends ChannelInboundHandlerAdapter implements IdleSweeper.Watched {
    private static final ByteBuf CONTINUE =
            Unpooled.unreleasableBuffer(Unpooled.copiedBuffer("HTTP/1.1 100 Continue\r\n\r\n", StandardCharsets.ISO_8859_1));

    private final Site site;
    private final RequestPipeline pipeline;
    private final String listenerToken;
    private final String scheme;
    private final Http1RequestParser parser;

    private ChannelHandlerContext ctx;
    private ByteBuf cumulation;
    private Http1Exchange current;
    private long bodyLimit;
    private int requestCount;
    private boolean keepAlive;
    private boolean closeAfterResponse;
    private boolean draining;
    private boolean inputShutdown;
    private boolean upgraded;
    /** The pipeline name of the stream that replaces this handler after a 101. */
    private static final String BYTE_STREAM = "byte-stream";

    /** Whether {@code channel} was switched to a byte stream (WebSocket, tunnel) by an upgrade. */
    public static boolean isUpgraded(Channel channel) {
        return channel.pipeline().get(BYTE_STREAM) != null;
    }

    private boolean closed;
    private RequestConfig lastConfig;
    private long lastReadNanos;
    private long lastWriteNanos;
    private boolean writing;
    /** The streamed response body being written, until its last byte is (or the connection is gone). */
    private Http1BodySink stream;
    /** {@link #process} is running: a body resumed from inside it is picked up by its loop. */
    private boolean processing;
    private String remoteIpText;

    public Http1Connection(Site site, String listenerToken, String scheme) {
        this.site = site;
        this.pipeline = new RequestPipeline(site);
        this.listenerToken = listenerToken;
        this.scheme = scheme;
        this.parser = new Http1RequestParser(site.maxRequestFieldSize(), site.parseOptions().methodGetBody());
    }

    Site site() { return site; }
    EventLoop eventLoop() { return ctx.channel().eventLoop(); }
    ByteBufAllocator alloc() { return ctx.alloc(); }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        lastReadNanos = lastWriteNanos = System.nanoTime();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        IdleSweeper.add(ctx.channel().eventLoop(), this);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        failBody("client closed the connection before the request body ended");
        cancelStream();
        IdleSweeper.remove(ctx.channel().eventLoop(), this);
        releaseCumulation();
        if (current != null) {
            current.connectionClosed();
            current.runDoneActions(); // unanswered, or its answer can no longer complete
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (!upgraded) {
            releaseCumulation();
        }
        IdleSweeper.remove(ctx.channel().eventLoop(), this);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        lastReadNanos = System.nanoTime();
        if (closed || parser.broken()) {
            in.release();
            return;
        }
        if (cumulation == null) {
            cumulation = in;
        } else {
            cumulation = Cumulation.append(cumulation, in);
        }
        process();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShutdown = true;
            if (current != null && !parser.inBody() && current.connectionClosed()) {
                // the client closed before its answer and the module waiting for a backend gave up (nginx's
                // "client prematurely closed"): no answer will come, so close our side too (no CLOSE-WAIT)
                close();
                return;
            }
            if (current == null) {
                process();
                if (current == null) {
                    close();
                }
            } else if (!processing) {
                process(); // a body still expected is cut short
            }
        } else if (evt instanceof GracefulShutdown) {
            draining = true;
            if (current == null) {
                close();
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (stream != null) {
            stream.writabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Connection resets and write failures end the connection; they are not server errors.
        close();
    }

    // ---- request handling ------------------------------------------------------------------------

    private void process() {
        boolean outer = !processing;
        processing = true;
        try {
            parse();
        } finally {
            processing = !outer;
        }
    }

    private void parse() {
        // a Content-Length body's end is an event of its own, due once its last byte is consumed
        while (!closed && !upgraded
                && (cumulation != null && cumulation.isReadable() || parser.fixedBodyEndPending())) {
            if (current != null && !parser.inBody()) {
                // Pipelined request waiting for the current response: stop reading until it is done.
                ctx.channel().config().setAutoRead(false);
                break;
            }
            if (current != null && current.body.holds()) {
                // The module has not listened yet, or paused the body: what was read waits, nothing more is read.
                ctx.channel().config().setAutoRead(false);
                break;
            }
            Http1RequestParser.Event e = parser.next(cumulation != null ? cumulation : Unpooled.EMPTY_BUFFER);
            if (e == null) {
                break;
            }
            switch (e) {
                case Http1RequestParser.Head h -> onHead(h);
                case Http1RequestParser.BodyData d -> onBodyData(d.data());
                case Http1RequestParser.BodyEnd b -> onBodyEnd();
                case Http1RequestParser.Refused r -> onRefused(r);
            }
        }
        if (cumulation != null && !cumulation.isReadable() && !upgraded) {
            releaseCumulation();
        } else if (cumulation != null && cumulation.refCnt() == 1) {
            // not while body slices of it are out (read ahead, or queued by a listener): moving bytes would
            // overwrite what they show
            cumulation.discardSomeReadBytes();
        }
        if (inputShutdown && !closed && current != null && parser.inBody() && !current.body.holds()) {
            // every byte the client sent was consumed and it sends no more: the body is truncated
            parser.abandon();
            keepAlive = false;
            closeAfterResponse = true;
            failBody("client closed its side before the request body ended");
            if (current.responseWritten) {
                close();
            } else if (!current.answered()) {
                // nobody answers a request whose body never ends: close, as lighttpd does (the module is told)
                current.connectionClosed();
                close();
            }
        }
    }

    private void onHead(Http1RequestParser.Head h) {
        requestCount++;
        String target = h.target();
        String rawPath;
        String query = "";
        if (target.equals("*")) {
            rawPath = "*";
        } else if (h.method().equals("CONNECT") && target.charAt(0) != '/') {
            rawPath = "/"; // authority-form names no path; "/" lets prefix keys such as proxy.server "/" match
        } else {
            String originForm = RequestTarget.originForm(target);
            int q = originForm.indexOf('?');
            rawPath = q < 0 ? originForm : originForm.substring(0, q);
            query = q < 0 ? "" : originForm.substring(q + 1);
        }
        String path = rawPath.equals("*") ? "*" : UrlPath.normalize(rawPath);
        Request.Protocol protocol = h.protocol();
        SimpleRequestFacts facts = new SimpleRequestFacts(path == null ? rawPath : path, h.authority(), remoteIp(),
                scheme, query, h.method(), h.headers(), listenerToken);
        RequestConfig config = site.config().evaluate(facts);
        lastConfig = config;
        if (protocol == Request.Protocol.HTTP_1_1 && !config.get(ServerKeys.PROTOCOL_HTTP11)) {
            // server.protocol-http11 = "disable": answer as HTTP/1.0, without upgrades (lighttpd 1.4.74+).
            protocol = Request.Protocol.HTTP_1_0;
            h.headers().remove("Upgrade");
        }
        Request request = new Request(h.method(), target, protocol, h.headers(), path == null ? rawPath : path,
                query, h.authority(), scheme, ctx.channel().remoteAddress(), ctx.channel().localAddress(),
                listenerToken, h.contentLength(), requestCount - 1);
        current = new Http1Exchange(this, request, config, h.headLength());
        keepAlive = wantsKeepAlive(request, config);
        // path == null: an encoded NUL in the path, which normalising refuses
        if (path == null || UrlPath.hasEncodedControl(rawPath) || UrlPath.hasEncodedControl(query)) {
            refuse(current, 400, "encoded control character in URL (url-ctrls-reject)");
            return;
        }
        bodyLimit = config.get(ServerKeys.MAX_REQUEST_SIZE) * 1024L;
        if (bodyLimit > 0 && h.contentLength() > bodyLimit) {
            refuse(current, 413, "request body of " + h.contentLength() + " bytes exceeds server.max-request-size");
            return;
        }
        if (h.expectContinue()) {
            ctx.writeAndFlush(CONTINUE.duplicate());
        }
        try {
            pipeline.run(current);
        } catch (RuntimeException e) {
            site.errorLog().write("server", "request " + target + " failed: " + e);
            current.respondErrorIfUnanswered(500);
        }
    }

    /** A module gave the current request back ({@link io.lightgate.http.Exchange#passOn}): the pipeline goes on. */
    void resumePipeline(Http1Exchange ex) {
        if (current != ex) {
            return;
        }
        try {
            pipeline.resume(ex);
        } catch (RuntimeException e) {
            site.errorLog().write("server", "request " + ex.request().target() + " failed: " + e);
            ex.respondErrorIfUnanswered(500);
        }
    }

    private boolean wantsKeepAlive(Request request, RequestConfig config) {
        if (draining || inputShutdown) {
            return false;
        }
        int max = config.get(ServerKeys.MAX_KEEP_ALIVE_REQUESTS);
        if (max == 0 || requestCount >= max) {
            return false;
        }
        // an AsciiString name: its hash is cached, a String name is hashed on every lookup
        var connection = request.headers().getAll(HttpHeaderNames.CONNECTION);
        if (request.protocol() == Request.Protocol.HTTP_1_0) {
            return Http1RequestParser.hasToken(connection, "keep-alive");
        }
        return !Http1RequestParser.hasToken(connection, "close");
    }

    private void onBodyData(ByteBuf data) {
        Http1Exchange ex = current;
        if (ex == null) {
            data.release();
            return;
        }
        ex.bodyBytes += data.readableBytes();
        if (bodyLimit > 0 && ex.bodyBytes > bodyLimit) {
            data.release();
            parser.abandon();
            refuse(ex, 413, "request body exceeds server.max-request-size",
                    new IOException("request body exceeds server.max-request-size"));
            return;
        }
        ex.body.data(data); // to the listener, or dropped when nobody listens
    }

    private void onBodyEnd() {
        Http1Exchange ex = current;
        if (ex == null) {
            return;
        }
        ex.body.end(); // the listener may answer, and that response may complete (and the next request start) here
        if (ex == current && ex.responseWritten) {
            finishRequest();
        }
    }

    private void onRefused(Http1RequestParser.Refused r) {
        if (current != null) {
            // mid-body: the chunked coding was malformed
            refuse(current, r.status(), r.reason(), new IOException("invalid request body: " + r.reason()));
            return;
        }
        Request.Protocol protocol = r.protocol() == null ? Request.Protocol.HTTP_1_0 : r.protocol();
        String method = r.method() == null ? "" : r.method();
        String target = r.target() == null ? "" : r.target();
        SimpleRequestFacts facts = new SimpleRequestFacts("", "", remoteIp(), scheme, "", method, null, listenerToken);
        RequestConfig config = site.config().evaluate(facts);
        requestCount++;
        Request request = new Request(method, target, protocol,
                DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders(), "", "", "", scheme,
                ctx.channel().remoteAddress(), ctx.channel().localAddress(), listenerToken, -1, requestCount - 1);
        current = new Http1Exchange(this, request, config, 0);
        refuse(current, r.status(), r.reason());
    }

    /** A refused request: one error-log line, lighttpd's error page, then the connection closes. */
    private void refuse(Http1Exchange ex, int status, String reason) {
        refuse(ex, status, reason, null);
    }

    /**
     * A refusal mid-body: the body's listener hears {@code bodyFailure}, after the core took the answer (a
     * module answering that failure is too late) and before the error page is written (which may close).
     */
    private void refuse(Http1Exchange ex, int status, String reason, IOException bodyFailure) {
        closeAfterResponse = true;
        keepAlive = false;
        ctx.channel().config().setAutoRead(false);
        site.errorLog().write("h1", reason + " -> sending Status " + status + " (" + remoteAddressText() + ")");
        boolean claimed = ex.claimForCore();
        if (bodyFailure != null) {
            ex.body.fail(bodyFailure);
        }
        if (claimed) {
            ex.sendCoreError(status);
        } else if (ex.responseWritten) {
            close();
        }
    }

    // ---- responses -------------------------------------------------------------------------------

    void sendResponse(Http1Exchange ex, Response response) {
        if (closed || ex != current) {
            Http1ResponseWriter.release(response.body());
            return;
        }
        Request req = ex.request();
        boolean http10 = req.protocol() == Request.Protocol.HTTP_1_0;
        Http1BodySink.Framing streamed = response.body() instanceof Response.Streamed s
                && Http1ResponseWriter.carriesBody(response.status(), req.method().equals("HEAD"))
                ? Http1ResponseWriter.framing(s, http10) : null;
        // A body that is still arriving is read and discarded after the response unless the client is refused.
        boolean close = closeAfterResponse || !keepAlive || draining || streamed == Http1BodySink.Framing.CLOSE;
        closeAfterResponse = close;
        ex.response = response;
        if (streamed != null) {
            // the producer may listen to the request body as it starts, or later: it is held until the end
            sendStreamed(ex, response, streamed);
        } else {
            ex.body.answered();
            sendWhole(ex, response);
        }
        if (!closed && ex == current && parser.inBody() && !ex.body.listening()) {
            bodyResumed(ex); // nobody listens: read and discard the rest of the body
        }
    }

    private void sendWhole(Http1Exchange ex, Response response) {
        boolean close = closeAfterResponse;
        Request req = ex.request();
        String version = req.protocol() == Request.Protocol.HTTP_1_0 ? "HTTP/1.0" : "HTTP/1.1";
        // Progress matters only for bodies that can take several writes; a head with a small in-memory body
        // is one buffer (measured: the progressive promise and its per-write notifications cost ~4 % of the
        // loop at 1 KiB). Its write-idle clock runs from the start of the write, as for any stalled write.
        boolean oneBuffer = Http1ResponseWriter.isOneBuffer(response.body());
        ChannelPromise promise = oneBuffer ? ctx.newPromise() : ctx.newProgressivePromise();
        writing = true;
        lastWriteNanos = System.nanoTime();
        ex.bytesOut = Http1ResponseWriter.write(ctx, response, version, req.method().equals("HEAD"),
                close ? Http1ResponseWriter.ConnectionMode.CLOSE : Http1ResponseWriter.ConnectionMode.KEEP_ALIVE,
                req.protocol() == Request.Protocol.HTTP_1_0, serverTag(ex), site.errorLog(), promise);
        // added after write() returns: a small response may complete inside it, and requestDone needs bytesOut
        if (oneBuffer) {
            if (promise.isDone()) {
                writeComplete(ex, promise.isSuccess()); // the usual case: the kernel took it at once
            } else {
                promise.addListener((ChannelFutureListener) f -> writeComplete(ex, f.isSuccess()));
            }
        } else {
            promise.addListener(new WriteProgress(ex));
        }
    }

    /** Writes the head of a streamed response, then lets its producer write the body through a sink. */
    private void sendStreamed(Http1Exchange ex, Response response, Http1BodySink.Framing framing) {
        Response.Streamed body = (Response.Streamed) response.body();
        Request req = ex.request();
        boolean http10 = req.protocol() == Request.Protocol.HTTP_1_0;
        // the write-idle clock of a streamed body is the sink's (see checkIdle); a failed head write closes
        ex.bytesOut = Http1ResponseWriter.write(ctx, response, http10 ? "HTTP/1.0" : "HTTP/1.1", false,
                closeAfterResponse ? Http1ResponseWriter.ConnectionMode.CLOSE
                        : Http1ResponseWriter.ConnectionMode.KEEP_ALIVE,
                http10, serverTag(ex), site.errorLog(), ctx.voidPromise());
        Http1BodySink sink = new Http1BodySink(ctx, body.producer(), body.length(), framing, new StreamEvents(ex));
        stream = sink;
        sink.start();
    }

    /** Ends the request of a streamed response when its sink is done. */
    private final class StreamEvents implements Http1BodySink.Events {
        private final Http1Exchange ex;

        StreamEvents(Http1Exchange ex) {
            this.ex = ex;
        }

        @Override
        public void streamWritten(Http1BodySink sink, boolean success, long wireBytes) {
            if (stream == sink) {
                stream = null;
            }
            ex.bytesOut += wireBytes;
            writeComplete(ex, success);
        }

        @Override
        public void streamAborted(Http1BodySink sink, String why, long wireBytes) {
            if (stream == sink) {
                stream = null;
            }
            site.errorLog().write("h1", why + ": response to " + ex.request().target() + " cut short ("
                    + remoteAddressText() + ")");
            ex.responseWritten = true;
            requestDone(ex, ex.response, ex.headBytes + ex.bodyBytes, ex.bytesOut + wireBytes);
            closeAfterResponse = true;
            // what was queued goes out if it can at once; no last chunk, so the client sees a truncated body
            ctx.flush();
            close();
        }
    }

    /** The connection ends while a producer is still streaming: stop it and log the request as far as it got. */
    private void cancelStream() {
        Http1BodySink sink = stream;
        if (sink == null || !sink.streaming()) {
            return;
        }
        stream = null;
        sink.cancel();
        Http1Exchange ex = current;
        if (ex != null) {
            ex.responseWritten = true;
            requestDone(ex, ex.response, ex.headBytes + ex.bodyBytes, ex.bytesOut + sink.wireBytes());
        }
    }

    /** The module listens, or resumed reading its body, or answered without listening: read on. */
    void bodyResumed(Http1Exchange ex) {
        if (closed || ex != current || parser.broken()) {
            return;
        }
        lastReadNanos = System.nanoTime(); // time paused by the module is not the client's idleness
        ctx.channel().config().setAutoRead(true);
        if (!processing) {
            process();
        }
    }

    private void failBody(String why) {
        if (current != null && !current.body.done()) {
            current.body.fail(new IOException(why));
        }
    }

    /** Tracks a response write: progress resets the write-idle clock, completion ends the request. */
    private final class WriteProgress implements ChannelProgressiveFutureListener {
        private final Http1Exchange ex;

        WriteProgress(Http1Exchange ex) {
            this.ex = ex;
        }

        @Override
        public void operationProgressed(ChannelProgressiveFuture future, long progress, long total) {
            lastWriteNanos = System.nanoTime();
        }

        @Override
        public void operationComplete(ChannelProgressiveFuture future) {
            writeComplete(ex, future.isSuccess());
        }
    }

    /** A response's last byte is written (or the write failed): log it, then the next request or close. */
    private void writeComplete(Http1Exchange ex, boolean success) {
        writing = false;
        lastWriteNanos = System.nanoTime();
        ex.responseWritten = true;
        ex.body.answered();
        requestDone(ex, ex.response, ex.headBytes + ex.bodyBytes, success ? ex.bytesOut : 0);
        if (!success || closeAfterResponse) {
            close();
        } else if (!parser.inBody()) {
            finishRequest();
        } else {
            // keep reading the rest of the body (to its listener, or discarded) before the next request
            bodyResumed(ex);
        }
    }

    private void requestDone(Http1Exchange ex, Response response, long bytesIn, long bytesOut) {
        if (ex.done) {
            return;
        }
        ex.done = true;
        for (Module m : site.modules()) {
            try {
                m.requestDone(ex, response, bytesIn, bytesOut);
            } catch (RuntimeException e) {
                site.errorLog().write("server", m.name() + " requestDone failed: " + e);
            }
        }
        ex.runDoneActions();
    }

    private void finishRequest() {
        current = null;
        lastReadNanos = System.nanoTime();
        if (closed) {
            return;
        }
        ctx.channel().config().setAutoRead(true);
        process();
        if (current == null && (inputShutdown || draining)) {
            close();
        }
    }

    void upgrade(Http1Exchange ex, Response switching, UpgradeHandler handler) {
        if (closed || ex != current) {
            Http1ResponseWriter.release(switching.body());
            handler.refused();
            return;
        }
        upgraded = true;
        parser.release();
        ex.response = switching;
        Request req = ex.request();
        ChannelPromise promise = ctx.newPromise();
        long headOut = Http1ResponseWriter.write(ctx, switching, "HTTP/1.1", false,
                Http1ResponseWriter.ConnectionMode.UPGRADE, false, serverTag(ex), site.errorLog(), promise);
        ByteBuf leftover = cumulation;
        cumulation = null;
        Http1ByteStream stream = new Http1ByteStream(leftover, ex.config(), (in, out) ->
                requestDone(ex, switching, ex.headBytes + ex.bodyBytes + in, headOut + out));
        ctx.pipeline().replace(this, BYTE_STREAM, stream);
        ctx.channel().config().setAutoRead(true);
        try {
            handler.upgraded(stream);
        } catch (RuntimeException e) {
            site.errorLog().write("server", "upgrade handler for " + req.target() + " failed: " + e);
            stream.close();
        }
    }

    private String serverTag(Http1Exchange ex) {
        String tag = ex.config().get(ServerKeys.TAG);
        return tag == null ? site.defaultTag() : tag;
    }

    // ---- timeouts --------------------------------------------------------------------------------

    @Override
    public void checkIdle(long now) {
        if (closed || upgraded) {
            return;
        }
        RequestConfig config = lastConfig;
        int readIdle = config == null ? site.config().global(ServerKeys.MAX_READ_IDLE) : config.get(ServerKeys.MAX_READ_IDLE);
        int writeIdle = config == null ? site.config().global(ServerKeys.MAX_WRITE_IDLE) : config.get(ServerKeys.MAX_WRITE_IDLE);
        if (current == null) {
            boolean partial = cumulation != null && cumulation.isReadable();
            int limit = partial || requestCount == 0 ? readIdle
                    : config.get(ServerKeys.MAX_KEEP_ALIVE_IDLE);
            if (now - lastReadNanos > TimeUnit.SECONDS.toNanos(limit)) {
                close();
            }
        } else if (writing) {
            if (now - lastWriteNanos > TimeUnit.SECONDS.toNanos(writeIdle)) {
                close();
            }
        } else if (stream != null && stream.stalled(now, TimeUnit.SECONDS.toNanos(writeIdle))) {
            close();
        } else if (parser.inBody() && !current.body.holds()
                && now - lastReadNanos > TimeUnit.SECONDS.toNanos(readIdle)) {
            // a body the module paused (or has not listened to yet) is not the client's idleness
            failBody("client sent no request body bytes for server.max-read-idle");
            close();
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private void close() {
        if (!closed) {
            closed = true;
            failBody("connection closed before the request body ended");
            cancelStream();
            ctx.channel().close();
        }
    }

    private void releaseCumulation() {
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
    }

    /** The client's address as text, computed once per connection (it is read on every request). */
    private String remoteIp() {
        String ip = remoteIpText;
        if (ip == null) {
            SocketAddress a = ctx.channel().remoteAddress();
            ip = a instanceof InetSocketAddress inet && inet.getAddress() != null
                    ? NetUtil.toAddressString(inet.getAddress()) : "";
            remoteIpText = ip;
        }
        return ip;
    }

    private String remoteAddressText() {
        String ip = remoteIp();
        return ip.isEmpty() ? String.valueOf(ctx.channel().remoteAddress()) : ip;
    }
}
