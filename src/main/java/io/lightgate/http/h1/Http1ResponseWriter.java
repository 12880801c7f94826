package io.lightgate.http.h1;

import io.lightgate.http.HttpStatus;
import io.lightgate.http.Response;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.DateFormatter;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.Date;
import java.util.Map;

/**
 * Writes a {@link Response} as HTTP/1.x: status line, the module's headers, then the framing and core
 * headers in lighttpd's order (Content-Length, Connection, Date, Server), then the body (files zero-copy
 * through {@link DefaultFileRegion}). Owns and releases the body in every case, HEAD included.
 */
final class Http1ResponseWriter {
    private Http1ResponseWriter() { }

    private static final int CRLF = ('\r' << 8) | '\n';
    private static final int COLON_SPACE = (':' << 8) | ' ';

    /** The framing and core headers the writer sets itself; a module's copy of them is dropped. */
    static boolean isCoreHeader(String name) {
        return switch (name.length()) {
            case 4 -> name.equalsIgnoreCase("date");
            case 6 -> name.equalsIgnoreCase("server");
            case 10 -> name.equalsIgnoreCase("connection") || name.equalsIgnoreCase("keep-alive");
            case 14 -> name.equalsIgnoreCase("content-length");
            case 17 -> name.equalsIgnoreCase("transfer-encoding");
            default -> false;
        };
    }

    /**
     * Header text as ISO-8859-1 bytes, one char to one byte. Names and values reach here validated (no
     * CR/LF); they come from the wire or from ASCII text, so no char is above 0xFF.
     */
    private static ByteBuf ascii(ByteBuf buf, String text) {
        buf.writeCharSequence(text, java.nio.charset.StandardCharsets.ISO_8859_1);
        return buf;
    }

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
        // ASCII straight into the buffer: no StringBuilder, no charset encoder on the hot path.
        ByteBuf headBuf = ctx.alloc().buffer(256);
        ascii(headBuf, version).writeByte(' ');
        ascii(headBuf, Integer.toString(status)).writeByte(' ');
        ascii(headBuf, HttpStatus.reason(status)).writeShort(CRLF);
        for (Map.Entry<String, String> h : response.headers()) {
            if (!isCoreHeader(h.getKey())) {
                ascii(headBuf, h.getKey()).writeShort(COLON_SPACE);
                ascii(headBuf, h.getValue()).writeShort(CRLF);
            }
        }
        if (bodyAllowed && mode != ConnectionMode.UPGRADE) {
            ascii(headBuf, "Content-Length: ");
            ascii(headBuf, Long.toString(body.length())).writeShort(CRLF);
        }
        switch (mode) {
            case CLOSE -> ascii(headBuf, "Connection: close\r\n");
            case UPGRADE -> ascii(headBuf, "Connection: upgrade\r\n");
            case KEEP_ALIVE -> {
                if (http10) {
                    ascii(headBuf, "Connection: keep-alive\r\n");
                }
            }
        }
        ascii(headBuf, "Date: ");
        ascii(headBuf, HttpDate.now()).writeShort(CRLF);
        if (serverTag != null && !serverTag.isBlank()) {
            ascii(headBuf, "Server: ");
            ascii(headBuf, serverTag).writeShort(CRLF);
        }
        headBuf.writeShort(CRLF);
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
