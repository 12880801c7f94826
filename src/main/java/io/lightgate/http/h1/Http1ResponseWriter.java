package io.lightgate.http.h1;

import io.lightgate.http.HttpStatus;
import io.lightgate.http.Response;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.DateFormatter;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.Date;
import java.util.Map;
import java.util.Set;

/**
 * Writes a {@link Response} as HTTP/1.x: status line, the module's headers, then the framing and core
 * headers in lighttpd's order (Content-Length, Connection, Date, Server), then the body (files zero-copy
 * through {@link DefaultFileRegion}). Owns and releases the body in every case, HEAD included.
 */
final class Http1ResponseWriter {
    private Http1ResponseWriter() { }

    private static final Set<String> CORE_HEADERS = Set.of("content-length", "transfer-encoding", "connection",
            "date", "server", "keep-alive");

    /** How the connection continues after this response. */
    enum ConnectionMode { KEEP_ALIVE, CLOSE, UPGRADE }

    /**
     * Writes and flushes the response; {@code promise} completes when the last byte is written.
     * Returns the number of bytes queued.
     */
    static long write(ChannelHandlerContext ctx, Response response, String version, boolean headRequest,
                      ConnectionMode mode, boolean http10, String serverTag, ChannelPromise promise) {
        int status = response.status();
        Response.Body body = response.body();
        boolean bodyAllowed = status >= 200 && status != 204 && status != 304;
        StringBuilder head = new StringBuilder(256);
        head.append(version).append(' ').append(status).append(' ').append(HttpStatus.reason(status)).append("\r\n");
        for (Map.Entry<String, String> h : response.headers()) {
            if (!CORE_HEADERS.contains(h.getKey().toLowerCase(java.util.Locale.ROOT))) {
                head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
            }
        }
        if (bodyAllowed && mode != ConnectionMode.UPGRADE) {
            head.append("Content-Length: ").append(body.length()).append("\r\n");
        }
        switch (mode) {
            case CLOSE -> head.append("Connection: close\r\n");
            case UPGRADE -> head.append("Connection: upgrade\r\n");
            case KEEP_ALIVE -> {
                if (http10) {
                    head.append("Connection: keep-alive\r\n");
                }
            }
        }
        head.append("Date: ").append(HttpDate.now()).append("\r\n");
        if (serverTag != null && !serverTag.isBlank()) {
            head.append("Server: ").append(serverTag).append("\r\n");
        }
        head.append("\r\n");
        ByteBuf headBuf = ByteBufUtil.encodeString(ctx.alloc(), java.nio.CharBuffer.wrap(head),
                java.nio.charset.StandardCharsets.ISO_8859_1);
        long total = headBuf.readableBytes();
        boolean sendBody = bodyAllowed && !headRequest && body.length() > 0;
        if (!sendBody) {
            release(body);
            ctx.writeAndFlush(headBuf, promise);
            return total;
        }
        ctx.write(headBuf, ctx.voidPromise());
        total += body.length();
        // Ranges of one file share its channel: regions leave it open and it is closed once, here.
        promise.addListener(f -> closeFiles(body));
        writeBody(ctx, body, promise, true);
        ctx.flush();
        return total;
    }

    private static void writeBody(ChannelHandlerContext ctx, Response.Body body, ChannelPromise promise,
                                  boolean last) {
        switch (body) {
            case Response.Empty e -> {
                if (last) {
                    ctx.write(io.netty.buffer.Unpooled.EMPTY_BUFFER, promise);
                }
            }
            case Response.Bytes b -> ctx.write(b.content(), last ? promise : ctx.voidPromise());
            case Response.FileRange f ->
                    ctx.write(new SharedFileRegion(f), last ? promise : ctx.voidPromise());
            case Response.Parts p -> {
                var parts = p.parts();
                if (parts.isEmpty() && last) {
                    ctx.write(io.netty.buffer.Unpooled.EMPTY_BUFFER, promise);
                }
                for (int i = 0; i < parts.size(); i++) {
                    writeBody(ctx, parts.get(i), promise, last && i == parts.size() - 1);
                }
            }
        }
    }

    /** Releases a body that will not be written. */
    static void release(Response.Body body) {
        switch (body) {
            case Response.Empty e -> { }
            case Response.Bytes b -> ReferenceCountUtil.safeRelease(b.content());
            case Response.FileRange f -> {
                try {
                    f.file().close();
                } catch (IOException ignored) {
                    // closing a read-only file: nothing to recover
                }
            }
            case Response.Parts p -> p.parts().forEach(Http1ResponseWriter::release);
        }
    }

    private static void closeFiles(Response.Body body) {
        switch (body) {
            case Response.FileRange f -> release(f);
            case Response.Parts p -> p.parts().forEach(Http1ResponseWriter::closeFiles);
            default -> { }
        }
    }

    /** A file region that leaves its channel open (closed by {@link #closeFiles}). */
    private static final class SharedFileRegion extends DefaultFileRegion {
        SharedFileRegion(Response.FileRange range) {
            super(range.file(), range.offset(), range.count());
        }

        @Override
        protected void deallocate() {
            // the FileChannel may carry further ranges of the same response
        }
    }

    /** The Date header value, formatted once per second. */
    static final class HttpDate {
        private static volatile long cachedSecond;
        private static volatile String cached = "";

        static String now() {
            long ms = System.currentTimeMillis();
            long second = ms / 1000;
            if (second != cachedSecond) {
                cached = DateFormatter.format(new Date(second * 1000));
                cachedSecond = second;
            }
            return cached;
        }
    }
}
