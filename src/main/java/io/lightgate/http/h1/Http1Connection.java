package io.lightgate.http.h1;

import io.lightgate.config.RequestConfig;
import io.lightgate.http.GracefulShutdown;
import io.lightgate.http.Module;
import io.lightgate.http.Request;
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
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/1.x connection: feeds received bytes to the {@link Http1RequestParser}, runs one request at a
 * time through the {@link RequestPipeline} (pipelined requests wait in the buffer, so responses stay in
 * order), reads and discards request bodies, decides keep-alive, and enforces lighttpd's idle limits.
 * Everything runs on the channel's event loop.
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
        IdleSweeper.remove(ctx.channel().eventLoop(), this);
        releaseCumulation();
        if (current != null) {
            current.connectionClosed();
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
            cumulation = merge(cumulation, in);
        }
        process();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShutdown = true;
            if (current != null && !parser.inBody()) {
                // the client closed before its answer: a module waiting for a backend gives up (nginx's
                // "client prematurely closed"); the core still writes whatever answer comes
                current.connectionClosed();
            }
            if (current == null) {
                process();
                if (current == null) {
                    close();
                }
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
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Connection resets and write failures end the connection; they are not server errors.
        close();
    }

    // ---- request handling ------------------------------------------------------------------------

    private void process() {
        while (!closed && !upgraded && cumulation != null && cumulation.isReadable()) {
            if (current != null && !parser.inBody()) {
                // Pipelined request waiting for the current response: stop reading until it is done.
                ctx.channel().config().setAutoRead(false);
                break;
            }
            Http1RequestParser.Event e = parser.next(cumulation);
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
        } else if (cumulation != null) {
            cumulation.discardSomeReadBytes();
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
            String originForm = target;
            if (h.target().charAt(0) != '/') {
                int from = target.indexOf("://") + 3;
                int slash = target.indexOf('/', from);
                int question = target.indexOf('?', from);
                int start = slash < 0 ? question : question < 0 ? slash : Math.min(slash, question);
                originForm = start < 0 ? "/" : target.charAt(start) == '?' ? "/" + target.substring(start)
                        : target.substring(start);
            }
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
                listenerToken, h.contentLength());
        current = new Http1Exchange(this, request, config, h.headLength());
        keepAlive = wantsKeepAlive(request, config);
        if (path == null) {
            refuse(current, 400, "encoded NUL (%00) in URL path");
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
        int n = data.readableBytes();
        // lightgate modules do not read request bodies yet: the core consumes and counts them.
        data.release();
        Http1Exchange ex = current;
        if (ex == null) {
            return;
        }
        ex.bodyBytes += n;
        if (bodyLimit > 0 && ex.bodyBytes > bodyLimit) {
            parser.abandon();
            refuse(ex, 413, "request body exceeds server.max-request-size");
        }
    }

    private void onBodyEnd() {
        if (current != null && current.responseWritten) {
            finishRequest();
        }
    }

    private void onRefused(Http1RequestParser.Refused r) {
        if (current != null) {
            refuse(current, r.status(), r.reason());
            return;
        }
        Request.Protocol protocol = r.protocol() == null ? Request.Protocol.HTTP_1_0 : r.protocol();
        String method = r.method() == null ? "" : r.method();
        String target = r.target() == null ? "" : r.target();
        SimpleRequestFacts facts = new SimpleRequestFacts("", "", remoteIp(), scheme, "", method, null, listenerToken);
        RequestConfig config = site.config().evaluate(facts);
        Request request = new Request(method, target, protocol,
                DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders(), "", "", "", scheme,
                ctx.channel().remoteAddress(), ctx.channel().localAddress(), listenerToken, -1);
        requestCount++;
        current = new Http1Exchange(this, request, config, 0);
        refuse(current, r.status(), r.reason());
    }

    /** A refused request: one error-log line, lighttpd's error page, then the connection closes. */
    private void refuse(Http1Exchange ex, int status, String reason) {
        closeAfterResponse = true;
        keepAlive = false;
        ctx.channel().config().setAutoRead(false);
        site.errorLog().write("h1", reason + " -> sending Status " + status + " (" + remoteAddressText() + ")");
        if (!ex.respondErrorIfUnanswered(status) && ex.responseWritten) {
            close();
        }
    }

    // ---- responses -------------------------------------------------------------------------------

    void sendResponse(Http1Exchange ex, Response response) {
        if (closed || ex != current) {
            Http1ResponseWriter.release(response.body());
            return;
        }
        // A body that is still arriving is read and discarded after the response unless the client is refused.
        boolean close = closeAfterResponse || !keepAlive || draining;
        closeAfterResponse = close;
        ex.response = response;
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
            promise.addListener((ChannelFutureListener) f -> writeComplete(ex, f.isSuccess()));
        } else {
            promise.addListener(new WriteProgress(ex));
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
        requestDone(ex, ex.response, ex.headBytes + ex.bodyBytes, success ? ex.bytesOut : 0);
        if (!success || closeAfterResponse) {
            close();
        } else if (!parser.inBody()) {
            finishRequest();
        } else {
            // keep reading (and discarding) the rest of the body before the next request
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void requestDone(Http1Exchange ex, Response response, long bytesIn, long bytesOut) {
        for (Module m : site.modules()) {
            try {
                m.requestDone(ex, response, bytesIn, bytesOut);
            } catch (RuntimeException e) {
                site.errorLog().write("server", m.name() + " requestDone failed: " + e);
            }
        }
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
        } else if (parser.inBody() && now - lastReadNanos > TimeUnit.SECONDS.toNanos(readIdle)) {
            close();
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private void close() {
        if (!closed) {
            closed = true;
            ctx.channel().close();
        }
    }

    private void releaseCumulation() {
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
    }

    private static ByteBuf merge(ByteBuf cumulation, ByteBuf in) {
        try {
            if (cumulation.writableBytes() >= in.readableBytes() && cumulation.refCnt() == 1
                    && !cumulation.isReadOnly()) {
                cumulation.writeBytes(in);
                return cumulation;
            }
            ByteBuf merged = in.alloc().buffer(cumulation.readableBytes() + in.readableBytes());
            merged.writeBytes(cumulation).writeBytes(in);
            cumulation.release();
            return merged;
        } finally {
            in.release();
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
