package io.lightgate.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.channels.FileChannel;
import java.util.List;

/**
 * A response as the modules build it, written by whichever protocol carries the request. The core adds
 * {@code Date}, {@code Server} ({@code server.tag}) and the framing headers. The body is owned by the
 * response: once handed to {@link Exchange#respond} the core writes and releases/closes it.
 * CONTRACT: the http work may add members; existing ones keep their meaning.
 */
public final class Response {
    private int status;
    /**
     * Not validated on set(): the HTTP/1 writer checks every name and value while copying it and never
     * sends one that could split the head (measured: set()'s validation was a visible part of a 1 KiB
     * static response).
     */
    private static final DefaultHttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory()
            .withValidation(false);
    private final HttpHeaders headers = HEADERS.newHeaders();
    private Body body = Body.EMPTY;

    public Response(int status) { this.status = status; }

    public int status() { return status; }
    public Response status(int status) { this.status = status; return this; }
    public HttpHeaders headers() { return headers; }
    public Body body() { return body; }
    public Response body(Body body) { this.body = body; return this; }

    /** What follows the header block. */
    public sealed interface Body permits Empty, Bytes, FileRange, Parts, Streamed {
        Empty EMPTY = new Empty();
        /** Bytes on the wire, for Content-Length; -1 when unknown until the end ({@link Streamed}). */
        long length();
    }

    /** No body (but Content-Length: 0 where the status allows a body). */
    public record Empty() implements Body {
        public long length() { return 0; }
    }

    /** Bytes in memory; the response owns one reference. */
    public record Bytes(ByteBuf content) implements Body {
        public long length() { return content.readableBytes(); }
    }

    /** A region of an open file, sent zero-copy where the transport allows; the channel is closed after. */
    public record FileRange(FileChannel file, long offset, long count) implements Body {
        public long length() { return count; }
    }

    /**
     * Several parts in order (multipart/byteranges: boundaries as Bytes, ranges as FileRange of one file);
     * a {@link Streamed} body cannot be a part.
     */
    public record Parts(List<Body> parts) implements Body {
        public Parts {
            parts = List.copyOf(parts);
            if (parts.stream().anyMatch(p -> p instanceof Streamed)) {
                throw new IllegalArgumentException("a streamed body cannot be a part");
            }
        }
        public long length() { return parts.stream().mapToLong(Body::length).sum(); }
    }

    /**
     * Bytes produced over time by {@code producer}, {@code length} of them, or -1 when the length is unknown until
     * the producer ends (chunked for HTTP/1.1 clients, close-delimited for HTTP/1.0). The response's own
     * Content-Length/Transfer-Encoding headers are ignored as for every body; the core frames it.
     */
    public record Streamed(long length, BodyProducer producer) implements Body { }
}
