package io.lightgate.http.h1;

import io.lightgate.http.HttpStatus;
import io.lightgate.http.Response;
import io.lightgate.log.ErrorLog;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.DateFormatter;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Map;

/**
 * Writes a {@link Response} as HTTP/1.x: status line, the module's headers, then the framing and core
 * headers in lighttpd's order (Content-Length, Connection, Date, Server), then the body (files zero-copy
 * through {@link DefaultFileRegion}). Owns and releases the body in every case, HEAD included; a
 * {@link Response.Streamed} body is written by an {@link Http1BodySink} after the head (cancelled when none is sent).
 */
final class Http1ResponseWriter {
    private Http1ResponseWriter() { }


    /** The framing and core headers the writer sets itself; a module's copy of them is dropped. */
    static boolean isCoreHeader(CharSequence name) {
        return switch (name.length()) {
            case 4 -> AsciiString.contentEqualsIgnoreCase(name, "date");
            case 6 -> AsciiString.contentEqualsIgnoreCase(name, "server");
            case 10 -> AsciiString.contentEqualsIgnoreCase(name, "connection")
                    || AsciiString.contentEqualsIgnoreCase(name, "keep-alive");
            case 14 -> AsciiString.contentEqualsIgnoreCase(name, "content-length");
            case 17 -> AsciiString.contentEqualsIgnoreCase(name, "transfer-encoding");
            default -> false;
        };
    }

    private static final byte[] CONTENT_LENGTH = "Content-Length: ".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] TRANSFER_ENCODING_CHUNKED =
            "Transfer-Encoding: chunked\r\n".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] CONNECTION_CLOSE = "Connection: close\r\n".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] CONNECTION_UPGRADE = "Connection: upgrade\r\n".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] CONNECTION_KEEP_ALIVE =
            "Connection: keep-alive\r\n".getBytes(StandardCharsets.ISO_8859_1);
    /** In-memory bodies up to this size go out in the head's buffer (the stat cache keeps files to 16 KiB). */
    private static final int COALESCE_LIMIT = 16 * 1024;

    /** How the connection continues after this response. */
    enum ConnectionMode { KEEP_ALIVE, CLOSE, UPGRADE }

    /**
     * Writes and flushes the response; {@code promise} completes when the last byte is written.
     * Returns the number of bytes queued.
     */
    static long write(ChannelHandlerContext ctx, Response response, String version, boolean headRequest,
                      ConnectionMode mode, boolean http10, String serverTag, ErrorLog errorLog,
                      ChannelPromise promise) {
        int status = response.status();
        Response.Body body = response.body();
        boolean bodyAllowed = status >= 200 && status != 204 && status != 304;
        HeadBytes head = HeadBytes.start().statusLine(version, status);
        // CharSequence entries: no String entry per header as the String iterator makes
        var fields = response.headers().iteratorCharSequence();
        while (fields.hasNext()) {
            Map.Entry<CharSequence, CharSequence> h = fields.next();
            if (!isCoreHeader(h.getKey()) && !head.field(h.getKey(), h.getValue())) {
                errorLog.write("server", "response header " + printable(h.getKey()) + " not sent: "
                        + "invalid name, or a control character in its value");
            }
        }
        boolean streamBody = body instanceof Response.Streamed && bodyAllowed && !headRequest;
        if (bodyAllowed && mode != ConnectionMode.UPGRADE) {
            if (body.length() >= 0) {
                head.bytes(CONTENT_LENGTH).decimal(body.length()).crlf();
            } else if (streamBody && !http10) {
                head.bytes(TRANSFER_ENCODING_CHUNKED);
            }
            // else a streamed body of unknown length: HEAD gets no length, HTTP/1.0 reads until close
        }
        switch (mode) {
            case CLOSE -> head.bytes(CONNECTION_CLOSE);
            case UPGRADE -> {
                // a 2xx to CONNECT switches to a tunnel without naming a protocol
                if (status == 101) {
                    head.bytes(CONNECTION_UPGRADE);
                }
            }
            case KEEP_ALIVE -> {
                if (http10) {
                    head.bytes(CONNECTION_KEEP_ALIVE);
                }
            }
        }
        head.dateLine();
        if (serverTag != null && !serverTag.isBlank()) {
            head.serverLine(serverTag);
        }
        head.crlf();
        int headLength = head.length();
        long total = headLength;
        if (streamBody) {
            // the body follows through an Http1BodySink once the producer starts
            ctx.writeAndFlush(ctx.alloc().buffer(headLength).writeBytes(head.array(), 0, headLength), promise);
            return total;
        }
        boolean sendBody = bodyAllowed && !headRequest && body.length() > 0;
        if (!sendBody) {
            release(body);
            ctx.writeAndFlush(ctx.alloc().buffer(headLength).writeBytes(head.array(), 0, headLength), promise);
            return total;
        }
        total += body.length();
        if (body instanceof Response.Bytes(ByteBuf content) && content.readableBytes() <= COALESCE_LIMIT) {
            // Small in-memory body (cached small files, error pages): head and body in one direct buffer,
            // one outbound entry and one iovec instead of two, and no second copy of a heap body.
            ByteBuf out = ctx.alloc().buffer(headLength + content.readableBytes());
            try {
                out.writeBytes(head.array(), 0, headLength).writeBytes(content, content.readerIndex(),
                        content.readableBytes());
            } finally {
                content.release();
            }
            ctx.writeAndFlush(out, promise);
            return total;
        }
        ctx.write(ctx.alloc().buffer(headLength).writeBytes(head.array(), 0, headLength), ctx.voidPromise());
        if (hasFiles(body)) {
            // Ranges of one file share its channel: regions leave it open and it is closed once, here.
            promise.addListener(f -> closeFiles(body));
        }
        writeBody(ctx, body, promise, true);
        ctx.flush();
        return total;
    }

    /** The name as it may go in a log line: control characters escaped. */
    private static String printable(CharSequence name) {
        StringBuilder out = new StringBuilder(name.length() + 2).append('"');
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < ' ' || c == 0x7f) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    /**
     * Whether a response with {@code status} to a request ({@code HEAD} or not) carries a body at all; a
     * {@link Response.Streamed} body that does not is cancelled by {@link #write}.
     */
    static boolean carriesBody(int status, boolean headRequest) {
        return status >= 200 && status != 204 && status != 304 && !headRequest;
    }

    /** How a streamed body that is sent goes on the wire: its length, chunked for HTTP/1.1, else until close. */
    static Http1BodySink.Framing framing(Response.Streamed body, boolean http10) {
        return body.length() >= 0 ? Http1BodySink.Framing.LENGTH
                : http10 ? Http1BodySink.Framing.CLOSE : Http1BodySink.Framing.CHUNKED;
    }

    /** Whether {@link #write} sends this body with its head as a single buffer. */
    static boolean isOneBuffer(Response.Body body) {
        return body instanceof Response.Empty
                || body instanceof Response.Bytes(ByteBuf content) && content.readableBytes() <= COALESCE_LIMIT;
    }

    private static boolean hasFiles(Response.Body body) {
        return switch (body) {
            case Response.FileRange f -> true;
            case Response.Parts p -> p.parts().stream().anyMatch(Http1ResponseWriter::hasFiles);
            default -> false;
        };
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
            // write() hands a top-level Streamed body to an Http1BodySink; Parts cannot hold one
            case Response.Streamed s -> throw new IllegalArgumentException("a streamed body cannot be a part");
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
            case Response.Streamed s -> s.producer().cancel();
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
