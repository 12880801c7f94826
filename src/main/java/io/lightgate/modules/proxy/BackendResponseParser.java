package io.lightgate.modules.proxy;

import io.lightgate.http.Cumulation;
import io.lightgate.http.HttpText;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A strict, incremental parser of one backend response (RFC 9112): the status line and fields (CRLF line ends
 * only; no obs-fold; token field names; no control characters in values; one Content-Length of digits only;
 * Transfer-Encoding exactly {@code chunked} and never with Content-Length; a head of at most
 * {@link #MAX_HEAD_BYTES}), interim 100/102/103 responses skipped, 101 final, then the body de-chunked or
 * counted. Results go to a {@link Handler}; after {@link Handler#malformed} nothing follows. The parser owns the
 * bytes fed to it and releases them; content passed to the handler belongs to the handler.
 */
final class BackendResponseParser {
    /** Largest head (status line and fields) accepted from a backend. */
    static final int MAX_HEAD_BYTES = 64 * 1024;
    /** Largest chunk-size line or trailer block: extensions and trailers are read and dropped. */
    private static final int MAX_LINE_BYTES = 64 * 1024;

    /** Where the parser's results go. */
    interface Handler {
        /** The final head. For {@link BackendResponseHead.Framing#SWITCH} the parser stops here: see {@link #takeLeftover()}. */
        void head(BackendResponseHead head);

        /** Body bytes (transfer coding removed); ownership passes. */
        void content(ByteBuf data);

        /** The body is complete. */
        void end();

        /** The response is not valid HTTP/1.1 (or ended early): {@code why} says where. */
        void malformed(String why);
    }

    private enum State { HEAD, LENGTH, CHUNK_SIZE, CHUNK_DATA, CHUNK_CRLF, TRAILERS, UNTIL_CLOSE, DONE, BROKEN }

    private final boolean headRequest;
    private final Handler handler;
    private final ByteBufAllocator alloc;
    private State state = State.HEAD;
    /** Bytes not consumed yet (a partial line or head). */
    private ByteBuf pending;
    private long remaining;
    private int trailerBytes;
    private boolean anyByte;

    BackendResponseParser(boolean headRequest, ByteBufAllocator alloc, Handler handler) {
        this.headRequest = headRequest;
        this.alloc = alloc;
        this.handler = handler;
    }

    /** Whether any byte of a response arrived. */
    boolean anyByte() {
        return anyByte;
    }

    /** Whether the final head was delivered. */
    boolean headDone() {
        return headSeen;
    }

    private boolean headSeen;

    /** Whether the response ended completely ({@link Handler#end} was called). */
    boolean complete() {
        return state == State.DONE && !switched;
    }

    private boolean switched;

    /** Feeds bytes from the backend (ownership passes). */
    void feed(ByteBuf data) {
        if (state == State.DONE && switched || state == State.BROKEN) {
            if (switched && data.isReadable()) {
                // after a 101 the caller takes the bytes as tunnel payload
                pending = Cumulation.append(pending, data);
            } else {
                data.release();
            }
            return;
        }
        if (data.isReadable()) {
            anyByte = true;
        }
        if (state == State.DONE) {
            // bytes after a complete response: the connection cannot be reused, the caller sees it via extraBytes
            extra = true;
            data.release();
            return;
        }
        pending = Cumulation.append(pending, data);
        try {
            run();
        } finally {
            // a finished response keeps nothing (bytes after it only mark the connection as not reusable)
            if (pending != null && !switched && (!pending.isReadable() || state == State.DONE)) {
                pending.release();
                pending = null;
            }
        }
    }

    private boolean extra;

    /** Whether the backend sent bytes after a complete response (then its connection is not reused). */
    boolean extraBytes() {
        return extra;
    }

    /** The backend closed its side. Ends a close-delimited body; anything else unfinished is malformed. */
    void endOfInput() {
        switch (state) {
            case UNTIL_CLOSE -> {
                state = State.DONE;
                handler.end();
            }
            case HEAD -> fail(anyByte ? "backend closed inside the response head" : "backend closed without a response");
            case LENGTH -> fail("backend closed " + remaining + " bytes before the end of the body");
            case CHUNK_SIZE, CHUNK_DATA, CHUNK_CRLF, TRAILERS -> fail("backend closed inside the chunked body");
            default -> { }
        }
    }

    /**
     * From {@link Handler#head} only: when the head declared a Content-Length of at most {@code limit} bytes and
     * all of them came with it, takes that body whole (the caller owns it; no {@link Handler#content} follows,
     * {@link Handler#end} does once head returns); else null and the body arrives as content.
     */
    ByteBuf takeWholeBody(int limit) {
        if (state != State.LENGTH || remaining > limit || pending == null || pending.readableBytes() < remaining) {
            return null;
        }
        ByteBuf body = pending.readRetainedSlice((int) remaining);
        remaining = 0;
        state = State.DONE;
        return body;
    }

    /** After a 101: the bytes the backend sent after its head (possibly empty); the caller owns them. */
    ByteBuf takeLeftover() {
        ByteBuf b = pending;
        pending = null;
        return b == null ? alloc.buffer(0) : b;
    }

    /** Releases what is held; no more results. */
    void release() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
        if (state != State.DONE) {
            state = State.BROKEN;
        }
    }

    private void run() {
        while (pending != null && pending.isReadable()) {
            switch (state) {
                case HEAD -> {
                    if (!parseHead()) {
                        return;
                    }
                }
                case LENGTH -> {
                    int n = (int) Math.min(remaining, pending.readableBytes());
                    ByteBuf part = pending.readRetainedSlice(n);
                    remaining -= n;
                    if (remaining == 0) {
                        state = State.DONE;
                        extra |= pending.isReadable();
                    }
                    handler.content(part);
                    if (state == State.DONE) {
                        handler.end();
                        return;
                    }
                }
                case CHUNK_SIZE -> {
                    if (!parseChunkSize()) {
                        return;
                    }
                }
                case CHUNK_DATA -> {
                    int n = (int) Math.min(remaining, pending.readableBytes());
                    ByteBuf part = pending.readRetainedSlice(n);
                    remaining -= n;
                    if (remaining == 0) {
                        state = State.CHUNK_CRLF;
                    }
                    handler.content(part);
                }
                case CHUNK_CRLF -> {
                    if (pending.readableBytes() < 2) {
                        return;
                    }
                    if (pending.readByte() != '\r' || pending.readByte() != '\n') {
                        fail("chunk data not followed by CRLF");
                        return;
                    }
                    state = State.CHUNK_SIZE;
                }
                case TRAILERS -> {
                    if (!parseTrailers()) {
                        return;
                    }
                }
                case UNTIL_CLOSE -> handler.content(pending.readRetainedSlice(pending.readableBytes()));
                case DONE, BROKEN -> {
                    return;
                }
            }
        }
    }

    /** Index of the LF ending the line at the reader index, -1 if incomplete; a bare LF or CR fails the parse. */
    private int lineEnd(ByteBuf b, int from, int limit) {
        int end = b.writerIndex();
        for (int i = from; i < end; i++) {
            byte c = b.getByte(i);
            if (c == '\n') {
                if (i == from || b.getByte(i - 1) != '\r') {
                    return -2;
                }
                return i;
            }
            if (c == '\r' && i + 1 < end && b.getByte(i + 1) != '\n') {
                return -2;
            }
            if (i - b.readerIndex() >= limit) {
                return -3;
            }
        }
        return end - b.readerIndex() > limit ? -3 : -1;
    }

    /** Parses one complete head if it is all there; returns false when more bytes are needed or on failure. */
    private boolean parseHead() {
        ByteBuf b = pending;
        int start = b.readerIndex();
        int pos = start;
        // find the empty line ending the head
        int headEnd = -1;
        while (true) {
            int lf = lineEnd(b, pos, MAX_HEAD_BYTES);
            if (lf == -1) {
                return false;
            }
            if (lf == -2) {
                fail("backend response line not ended by CRLF");
                return false;
            }
            if (lf == -3) {
                fail("backend response head larger than " + MAX_HEAD_BYTES + " bytes");
                return false;
            }
            if (lf - pos == 1) {
                if (pos == start) {
                    fail("backend response starts with an empty line");
                    return false;
                }
                headEnd = lf + 1;
                break;
            }
            pos = lf + 1;
        }
        String text = b.toString(start, headEnd - start, StandardCharsets.ISO_8859_1);
        b.readerIndex(headEnd);
        String[] lines = text.substring(0, text.length() - 4).split("\r\n", -1);
        Head head = readHead(lines);
        if (head == null) {
            return false;
        }
        int status = head.status;
        if (status >= 100 && status < 200 && status != 101) {
            return true; // interim response: the final one follows
        }
        headSeen = true;
        BackendResponseHead.Framing framing;
        long length = -1;
        if (status == 101) {
            framing = BackendResponseHead.Framing.SWITCH; // a Content-Length on it is ignored (lighttpd #3063)
        } else if (headRequest || status == 204 || status == 304) {
            framing = BackendResponseHead.Framing.NONE;
        } else if (head.chunked) {
            framing = BackendResponseHead.Framing.CHUNKED;
        } else if (head.contentLength >= 0) {
            framing = BackendResponseHead.Framing.LENGTH;
            length = head.contentLength;
        } else {
            framing = BackendResponseHead.Framing.UNTIL_CLOSE;
        }
        boolean keepAlive = head.http11 ? !head.close : head.keepAlive;
        if (framing == BackendResponseHead.Framing.UNTIL_CLOSE) {
            keepAlive = false;
        }
        BackendResponseHead result = new BackendResponseHead(head.http11, status, head.headers, framing, length,
                keepAlive);
        switch (framing) {
            case SWITCH -> {
                state = State.DONE;
                switched = true;
            }
            case NONE -> state = State.DONE;
            case CHUNKED -> state = State.CHUNK_SIZE;
            case LENGTH -> {
                remaining = length;
                state = length == 0 ? State.DONE : State.LENGTH;
            }
            case UNTIL_CLOSE -> state = State.UNTIL_CLOSE;
        }
        handler.head(result);
        if (state == State.DONE && !switched) {
            extra |= pending != null && pending.isReadable();
            handler.end();
        }
        return state != State.DONE;
    }

    private static final class Head {
        boolean http11;
        int status;
        HttpHeaders headers = DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders();
        long contentLength = -1;
        boolean chunked;
        boolean close;
        boolean keepAlive;
    }

    private Head readHead(String[] lines) {
        Head h = new Head();
        String statusLine = lines[0];
        // HTTP/1.x SP 3DIGIT [SP reason]
        if (statusLine.length() < 12 || !statusLine.startsWith("HTTP/1.") || statusLine.charAt(8) != ' '
                || (statusLine.charAt(7) != '0' && statusLine.charAt(7) != '1')
                || statusLine.length() > 12 && statusLine.charAt(12) != ' ') {
            fail("invalid status line from backend: " + HttpText.printable(statusLine, 80));
            return null;
        }
        h.http11 = statusLine.charAt(7) == '1';
        int status = 0;
        for (int i = 9; i < 12; i++) {
            char c = statusLine.charAt(i);
            if (c < '0' || c > '9') {
                fail("invalid status code from backend: " + HttpText.printable(statusLine, 80));
                return null;
            }
            status = status * 10 + (c - '0');
        }
        if (status < 100 || status > 599) {
            fail("invalid status code from backend: " + status);
            return null;
        }
        for (int i = 13; i < statusLine.length(); i++) {
            char c = statusLine.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                fail("control character in the backend's reason phrase");
                return null;
            }
        }
        h.status = status;
        for (int l = 1; l < lines.length; l++) {
            String line = lines[l];
            if (line.isEmpty() || line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                fail("obsolete line folding in the backend's response head");
                return null;
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || !HttpText.isToken(line, 0, colon)) {
                fail("invalid field name in the backend's response head: " + HttpText.printable(line, 80));
                return null;
            }
            String name = line.substring(0, colon);
            String value = HttpText.trimOws(line.substring(colon + 1));
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c < 0x20 && c != '\t' || c == 0x7f) {
                    fail("control character in the backend's " + name + " field");
                    return null;
                }
            }
            switch (name.toLowerCase(Locale.ROOT)) {
                case "content-length" -> {
                    if (h.contentLength >= 0) {
                        fail("more than one Content-Length from the backend");
                        return null;
                    }
                    h.contentLength = HttpText.decimal(value);
                    if (h.contentLength < 0) {
                        fail("invalid Content-Length from the backend: " + HttpText.printable(value, 80));
                        return null;
                    }
                }
                case "transfer-encoding" -> {
                    if (h.chunked || !value.equalsIgnoreCase("chunked")) {
                        fail("unsupported Transfer-Encoding from the backend: " + HttpText.printable(value, 80)
                                + " (only a single \"chunked\" is accepted)");
                        return null;
                    }
                    h.chunked = true;
                }
                case "connection" -> {
                    for (String t : value.split(",")) {
                        String token = t.strip();
                        h.close |= token.equalsIgnoreCase("close");
                        h.keepAlive |= token.equalsIgnoreCase("keep-alive");
                    }
                }
                default -> { }
            }
            h.headers.add(name, value);
        }
        if (h.chunked && h.contentLength >= 0 && status != 101) {
            fail("both Transfer-Encoding and Content-Length from the backend");
            return null;
        }
        return h;
    }

    private boolean parseChunkSize() {
        ByteBuf b = pending;
        int lf = lineEnd(b, b.readerIndex(), MAX_LINE_BYTES);
        if (lf == -1) {
            return false;
        }
        if (lf < 0) {
            fail(lf == -2 ? "chunk size line not ended by CRLF" : "chunk size line too long");
            return false;
        }
        String line = b.toString(b.readerIndex(), lf - 1 - b.readerIndex(), StandardCharsets.ISO_8859_1);
        b.readerIndex(lf + 1);
        int semi = line.indexOf(';');
        String hex = (semi < 0 ? line : line.substring(0, semi)).stripTrailing();
        if (hex.isEmpty() || hex.length() > 15) {
            fail("invalid chunk size from the backend: " + HttpText.printable(line, 80));
            return false;
        }
        long size = 0;
        for (int i = 0; i < hex.length(); i++) {
            int d = Character.digit(hex.charAt(i), 16);
            if (d < 0) {
                fail("invalid chunk size from the backend: " + HttpText.printable(line, 80));
                return false;
            }
            size = size * 16 + d;
        }
        if (size == 0) {
            state = State.TRAILERS;
            trailerBytes = 0;
        } else {
            remaining = size;
            state = State.CHUNK_DATA;
        }
        return true;
    }

    /** Trailer fields are read and dropped up to the empty line that ends the body. */
    private boolean parseTrailers() {
        ByteBuf b = pending;
        while (b.isReadable()) {
            int lf = lineEnd(b, b.readerIndex(), MAX_LINE_BYTES - trailerBytes);
            if (lf == -1) {
                return false;
            }
            if (lf < 0) {
                fail(lf == -2 ? "trailer line not ended by CRLF" : "trailers too long");
                return false;
            }
            int len = lf + 1 - b.readerIndex();
            trailerBytes += len;
            b.readerIndex(lf + 1);
            if (len == 2) {
                state = State.DONE;
                extra |= b.isReadable();
                handler.end();
                return false;
            }
        }
        return false;
    }

    private void fail(String why) {
        state = State.BROKEN;
        if (pending != null) {
            pending.release();
            pending = null;
        }
        handler.malformed(why);
    }
}
