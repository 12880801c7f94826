package io.lightgate.http.h1;

import io.lightgate.http.HttpText;
import io.lightgate.http.Request;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * HTTP/1.x request parser: one state machine over a cumulation buffer, producing one {@link Event} per
 * {@link #next} call. Hand-written rather than Netty's HttpServerCodec because lighttpd's answers need the
 * raw request: that codec unfolds obs-fold, drops Content-Length next to Transfer-Encoding, accepts bare
 * LF and merges duplicate fields, each of which lighttpd (and RFC 9112) answers with 400 here. The head
 * is limited as a whole block (request line + fields + blank line) by {@code server.max-request-field-size},
 * as lighttpd does (431).
 */
public final class Http1RequestParser {

    /** What the parser found. */
    public sealed interface Event permits Head, Refused, BodyData, BodyEnd { }

    /**
     * A complete, valid request head.
     *
     * @param contentLength -1 without body, -2 for chunked, else the Content-Length
     * @param headLength    bytes the head took on the wire
     */
    public record Head(String method, String target, Request.Protocol protocol, HttpHeaders headers,
                       String authority, long contentLength, boolean expectContinue, int headLength)
            implements Event {
        public boolean hasBody() { return contentLength > 0 || contentLength == -2; }
    }

    /**
     * A request refused with {@code status}; the parser stops here and the connection must close.
     * {@code method}, {@code target}, {@code protocol} are null when they were not parsed yet.
     */
    public record Refused(int status, String reason, String method, String target, Request.Protocol protocol)
            implements Event { }

    /** Request body bytes (de-chunked); the receiver owns {@code data}. */
    public record BodyData(ByteBuf data) implements Event { }

    /** The body is complete; {@code trailers} holds chunked trailer fields (empty otherwise). */
    public record BodyEnd(HttpHeaders trailers) implements Event { }

    private enum State { HEAD, FIXED_BODY, FIXED_END, CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, TRAILERS, BROKEN }

    /** Methods lighttpd knows (http_method_buf); anything else is 501. */
    private static final Set<String> KNOWN_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT",
            "OPTIONS", "TRACE", "PATCH", "ACL", "BASELINE-CONTROL", "BIND", "CHECKIN", "CHECKOUT", "COPY", "LABEL",
            "LINK", "LOCK", "MERGE", "MKACTIVITY", "MKCALENDAR", "MKCOL", "MKREDIRECTREF", "MKWORKSPACE", "MOVE",
            "ORDERPATCH", "PRI", "PROPFIND", "PROPPATCH", "REBIND", "REPORT", "SEARCH", "UNBIND", "UNCHECKOUT",
            "UNLINK", "UNLOCK", "UPDATE", "UPDATEREDIRECTREF", "VERSION-CONTROL");
    private static final int MAX_CHUNK_LINE = 1024;
    /** Head bytes are copied out of the input this many at a time (a typical head fits in one chunk). */
    private static final int HEAD_CHUNK = 1024;
    private static final HttpHeaders EMPTY_TRAILERS =
            DefaultHttpHeadersFactory.trailersFactory().withValidation(false).newEmptyHeaders();

    private final int maxHeadSize;
    private final boolean allowGetBody;

    private State state = State.HEAD;
    /**
     * The head's bytes copied out of the (direct) input buffer, scanned and parsed here: per-byte reads of a
     * direct ByteBuf go through DirectByteBuffer's scope checks on JDK 25 and were a measured hot spot.
     */
    private byte[] head = new byte[HEAD_CHUNK];
    private int copied;
    // Head scanning, offsets relative to the buffer's readerIndex (stable until the head is consumed).
    private int scanned;
    private int lineStart;
    private int[] lines = new int[32];
    private int lineCount;
    private long remaining;
    private HttpHeaders trailers;
    private int trailerBytes;

    public Http1RequestParser(int maxHeadSize, boolean allowGetBody) {
        this.maxHeadSize = maxHeadSize <= 0 ? Integer.MAX_VALUE : maxHeadSize;
        this.allowGetBody = allowGetBody;
    }

    /** True while a request body is being read. */
    public boolean inBody() {
        return state != State.HEAD && state != State.BROKEN;
    }

    /** True when the last byte of a Content-Length body was consumed and {@link #next} yields its BodyEnd. */
    public boolean fixedBodyEndPending() {
        return state == State.FIXED_END;
    }

    /** Stops parsing for good (the request was refused by the connection). */
    public void abandon() {
        state = State.BROKEN;
    }

    /**
     * Stops parsing for good and lets go of the head buffers: the connection became a byte stream (an upgrade)
     * and lives on, possibly for hours, while this parser stays reachable from it (for the access log).
     */
    public void release() {
        state = State.BROKEN;
        head = new byte[0];
        lines = new int[0];
    }

    public boolean broken() {
        return state == State.BROKEN;
    }

    /** Consumes bytes from {@code in}; returns the next event, or null when more input is needed. */
    public Event next(ByteBuf in) {
        return switch (state) {
            case HEAD -> readHead(in);
            case FIXED_BODY -> readFixed(in);
            case FIXED_END -> {
                state = State.HEAD;
                yield new BodyEnd(EMPTY_TRAILERS);
            }
            case CHUNK_SIZE -> readChunkSize(in);
            case CHUNK_DATA -> readChunkData(in);
            case CHUNK_DATA_END -> readChunkDataEnd(in);
            case TRAILERS -> readTrailers(in);
            case BROKEN -> null;
        };
    }

    // ---- head -------------------------------------------------------------------------------------

    private Event readHead(ByteBuf in) {
        int base = in.readerIndex();
        int available = in.writerIndex() - base;
        while (scanned < available) {
            if (scanned == copied) {
                copyMore(in, base, available);
            }
            byte[] h = head;
            int lfRel = -1;
            for (int i = scanned; i < copied; i++) {
                if (h[i] == '\n') {
                    lfRel = i;
                    break;
                }
            }
            if (lfRel < 0) {
                scanned = copied;
                continue;
            }
            if (lfRel == lineStart || h[lfRel - 1] != '\r') {
                return refuse(400, "line ends in LF without CR", null, null, null);
            }
            int crRel = lfRel - 1;
            if (lfRel + 1 > maxHeadSize) {
                return refuse(431, "oversized request-header", null, null, null);
            }
            if (crRel == lineStart) {
                if (lineCount == 0) {
                    return refuse(400, "invalid request-line: empty line", null, null, null);
                }
                int headLength = lfRel + 1;
                Event e = parseHead(headLength);
                in.skipBytes(headLength);
                resetHeadScan();
                return e;
            }
            if (lineCount * 2 + 2 > lines.length) {
                lines = Arrays.copyOf(lines, lines.length * 2);
            }
            lines[lineCount * 2] = lineStart;
            lines[lineCount * 2 + 1] = crRel;
            lineCount++;
            lineStart = lfRel + 1;
            scanned = lineStart;
        }
        if (available > maxHeadSize) {
            return refuse(431, "oversized request-header", null, null, null);
        }
        return null;
    }

    /** Copies the next chunk of unscanned input into {@link #head}. */
    private void copyMore(ByteBuf in, int base, int available) {
        int n = Math.min(HEAD_CHUNK, available - copied);
        if (copied + n > head.length) {
            head = Arrays.copyOf(head, Math.max(head.length * 2, copied + n));
        }
        in.getBytes(base + copied, head, copied, n);
        copied += n;
    }

    private void resetHeadScan() {
        copied = 0;
        if (head.length > 4 * HEAD_CHUNK) {
            head = new byte[HEAD_CHUNK]; // one big head does not pin a big array for the connection's life
        }
        scanned = 0;
        lineStart = 0;
        lineCount = 0;
    }

    private Event parseHead(int headLength) {
        byte[] h = head;
        String requestLine = new String(h, lines[0], lines[1] - lines[0], StandardCharsets.ISO_8859_1);
        int sp1 = requestLine.indexOf(' ');
        int sp2 = sp1 < 0 ? -1 : requestLine.indexOf(' ', sp1 + 1);
        if (sp1 <= 0 || sp2 < 0 || sp2 == sp1 + 1 || requestLine.indexOf(' ', sp2 + 1) >= 0) {
            return refuse(400, "invalid request-line", null, null, null);
        }
        String method = method(requestLine, sp1);
        String target = requestLine.substring(sp1 + 1, sp2);
        Request.Protocol protocol;
        if (versionIs(requestLine, sp2 + 1, "HTTP/1.1")) {
            protocol = Request.Protocol.HTTP_1_1;
        } else if (versionIs(requestLine, sp2 + 1, "HTTP/1.0")) {
            protocol = Request.Protocol.HTTP_1_0;
        } else {
            String version = requestLine.substring(sp2 + 1);
            if (version.length() == 8 && version.startsWith("HTTP/") && isDigit(version.charAt(5))
                    && version.charAt(6) == '.' && isDigit(version.charAt(7))) {
                return refuse(505, "unsupported HTTP version " + version, method, target, null);
            }
            return refuse(400, "invalid request-line: bad version", method, target, null);
        }
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= 0x20 || c == 0x7f) {
                return refuse(400, "invalid character in request-target", method, target, protocol);
            }
        }
        // GET/HEAD/POST are the shared constants from method(): known tokens, no hashing needed
        boolean common = method == GET || method == HEAD || method == POST;
        if (!common && !HttpText.isToken(method, 0, method.length())) {
            return refuse(400, "invalid request-line: bad method", method, target, protocol);
        }
        if (!common && !KNOWN_METHODS.contains(method)) {
            return refuse(501, "unknown method " + method, method, target, protocol);
        }

        String authority = null;
        if (target.charAt(0) == '/') {
            // origin-form
        } else if (target.equals("*")) {
            if (!method.equals("OPTIONS")) {
                return refuse(400, "request-target * without OPTIONS", method, target, protocol);
            }
        } else if (!method.equals("CONNECT")
                && (startsWithIgnoreCase(target, "http://") || startsWithIgnoreCase(target, "https://"))) {
            int from = target.indexOf("://") + 3;
            int slash = indexOfAny(target, from, "/?");
            authority = target.substring(from, slash < 0 ? target.length() : slash);
            if (authority.isEmpty()) {
                return refuse(400, "absolute request-target without host", method, target, protocol);
            }
        } else if (method.equals("CONNECT") && target.indexOf('/') < 0 && target.indexOf('?') < 0
                && target.indexOf('@') < 0 && target.lastIndexOf(':') > 0) {
            // authority-form (host:port), only for CONNECT (RFC 9112 §3.2.3); a module may tunnel it (mod_proxy)
            authority = target;
        } else {
            return refuse(400, "invalid request-target", method, target, protocol);
        }

        HttpHeaders headers = DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders();
        FieldsSeen seen = new FieldsSeen();
        for (int l = 1; l < lineCount; l++) {
            String problem = addField(h, lines[l * 2], lines[l * 2 + 1], headers, seen);
            if (problem != null) {
                return refuse(400, problem, method, target, protocol);
            }
        }
        return checkFields(method, target, protocol, headers, seen, authority, headLength);
    }

    private static final String GET = "GET";
    private static final String HEAD = "HEAD";
    private static final String POST = "POST";

    /** The method token; the common ones as shared constants (no new String, hash already computed). */
    private static String method(String requestLine, int sp1) {
        if (sp1 == 3 && requestLine.startsWith(GET)) {
            return GET;
        }
        if (sp1 == 4 && requestLine.startsWith(HEAD)) {
            return HEAD;
        }
        if (sp1 == 4 && requestLine.startsWith(POST)) {
            return POST;
        }
        return requestLine.substring(0, sp1);
    }

    private static boolean versionIs(String requestLine, int from, String version) {
        return requestLine.length() - from == version.length() && requestLine.startsWith(version, from);
    }

    /**
     * The fields {@link #checkFields} rules on, noted while the head is parsed: most requests carry none of
     * them but Host, and a case-insensitive hash lookup per rule in the header map was a measured cost.
     */
    private static final class FieldsSeen {
        int hosts;
        String host;
        int lengths;
        String length;
        int codings;
        boolean upgrade;
        boolean http2Settings;
        boolean connection;
        int expects;
        String expect;

        void note(String name, String value) {
            switch (name.length()) {
                case 4 -> {
                    if (name.equalsIgnoreCase("Host") && hosts++ == 0) {
                        host = value;
                    }
                }
                case 6 -> {
                    if (name.equalsIgnoreCase("Expect") && expects++ == 0) {
                        expect = value;
                    }
                }
                case 7 -> upgrade |= name.equalsIgnoreCase("Upgrade");
                case 10 -> connection |= name.equalsIgnoreCase("Connection");
                case 14 -> {
                    if (name.equalsIgnoreCase("Content-Length")) {
                        if (lengths++ == 0) {
                            length = value;
                        }
                    } else {
                        http2Settings |= name.equalsIgnoreCase("HTTP2-Settings");
                    }
                }
                case 17 -> {
                    if (name.equalsIgnoreCase("Transfer-Encoding")) {
                        codings++;
                    }
                }
                default -> { }
            }
        }
    }

    /** Parses one field line of the head into {@code headers}; returns the reason it is invalid, or null. */
    private static String addField(byte[] h, int start, int end, HttpHeaders headers, FieldsSeen seen) {
        byte first = h[start];
        if (first == ' ' || first == '\t') {
            return "obs-fold (line folding) in header";
        }
        int colon = -1;
        for (int i = start; i < end; i++) {
            if (h[i] == ':') {
                colon = i;
                break;
            }
        }
        if (colon < 0) {
            return "header line without ':'";
        }
        if (colon == start) {
            return "empty header name";
        }
        for (int i = start; i < colon; i++) {
            if (!HttpText.isTokenChar(h[i])) {
                return "invalid character in header name";
            }
        }
        int vs = colon + 1;
        int ve = end;
        while (vs < ve && isOws(h[vs])) {
            vs++;
        }
        while (ve > vs && isOws(h[ve - 1])) {
            ve--;
        }
        for (int i = vs; i < ve; i++) {
            byte b = h[i];
            if ((b >= 0 && b < 0x20 && b != '\t') || b == 0x7f) {
                return "invalid character in header value";
            }
        }
        String name = new String(h, start, colon - start, StandardCharsets.ISO_8859_1);
        String value = new String(h, vs, ve - vs, StandardCharsets.ISO_8859_1);
        headers.add(name, value);
        seen.note(name, value);
        return null;
    }

    private Event checkFields(String method, String target, Request.Protocol protocol, HttpHeaders headers,
                              FieldsSeen seen, String absoluteAuthority, int headLength) {
        boolean http11 = protocol == Request.Protocol.HTTP_1_1;

        if (seen.hosts > 1) {
            return refuse(400, "duplicate Host header", method, target, protocol);
        }
        String host = seen.host;
        if (host != null && !HostName.isValid(host)) {
            return refuse(400, "invalid Host header", method, target, protocol);
        }
        String authority = host;
        if (absoluteAuthority != null) {
            if (!HostName.isValid(absoluteAuthority)) {
                return refuse(400, "invalid host in request-target", method, target, protocol);
            }
            if (host != null && !host.equalsIgnoreCase(absoluteAuthority)) {
                return refuse(400, "Host header differs from request-target", method, target, protocol);
            }
            authority = absoluteAuthority;
        }
        if (http11 && (authority == null || authority.isEmpty())) {
            return refuse(400, "missing Host header", method, target, protocol);
        }

        long contentLength = -1;
        if (seen.lengths > 1) {
            return refuse(400, "duplicate Content-Length header", method, target, protocol);
        }
        if (seen.lengths == 1) {
            contentLength = parseLength(seen.length);
            if (contentLength < 0) {
                return refuse(400, "invalid Content-Length header", method, target, protocol);
            }
        }
        if (seen.codings > 0) {
            List<String> codings = headers.getAll("Transfer-Encoding");
            if (!http11) {
                return refuse(400, "Transfer-Encoding in HTTP/1.0 request", method, target, protocol);
            }
            if (contentLength >= 0) {
                return refuse(400, "both Content-Length and Transfer-Encoding", method, target, protocol);
            }
            if (codings.size() != 1 || !codings.getFirst().equalsIgnoreCase("chunked")) {
                return refuse(501, "unsupported Transfer-Encoding " + String.join(", ", codings),
                        method, target, protocol);
            }
            contentLength = -2;
        }

        if (!http11 && (seen.upgrade || seen.http2Settings)) {
            return refuse(400, "invalid hop-by-hop header w/o HTTP/1.1", method, target, protocol);
        }
        if (seen.upgrade) {
            if (!seen.connection) {
                headers.remove("Upgrade");
            } else if (hasToken(headers.getAll("Upgrade"), "h2c")) {
                // h2c upgrade is not offered (lighttpd's server.h2c defaults to off): a normal request.
                headers.remove("Upgrade");
                headers.remove("HTTP2-Settings");
            }
        }

        boolean hasBody = contentLength > 0 || contentLength == -2;
        if (hasBody && !allowGetBody && (method.equals("GET") || method.equals("HEAD"))) {
            return refuse(400, method + " with request body", method, target, protocol);
        }
        if (method.equals("POST") && contentLength == -1) {
            return refuse(411, "POST without Content-Length", method, target, protocol);
        }

        boolean expectContinue = false;
        String expect = seen.expect;
        if (expect != null) {
            if (!expect.equalsIgnoreCase("100-continue") || seen.expects > 1) {
                return refuse(417, "unsupported Expect: " + expect, method, target, protocol);
            }
            // RFC 9110 10.1.1: ignore 100-continue from HTTP/1.0 clients.
            expectContinue = http11 && hasBody;
        }

        if (contentLength > 0) {
            state = State.FIXED_BODY;
            remaining = contentLength;
        } else if (contentLength == -2) {
            state = State.CHUNK_SIZE;
        }
        return new Head(method, target, protocol, headers, authority == null ? "" : HostName.normalize(authority),
                contentLength, expectContinue, headLength);
    }

    // ---- body -------------------------------------------------------------------------------------

    private Event readFixed(ByteBuf in) {
        int n = (int) Math.min(remaining, in.readableBytes());
        if (n == 0) {
            return null;
        }
        remaining -= n;
        if (remaining == 0) {
            state = State.FIXED_END;
        }
        return new BodyData(in.readRetainedSlice(n));
    }

    private Event readChunkSize(ByteBuf in) {
        int start = in.readerIndex();
        int lf = in.indexOf(start, in.writerIndex(), (byte) '\n');
        if (lf < 0) {
            return in.readableBytes() > MAX_CHUNK_LINE ? refuse(400, "chunk size line too long", null, null, null)
                    : null;
        }
        if (lf == start || in.getByte(lf - 1) != '\r') {
            return refuse(400, "chunk size line ends in LF without CR", null, null, null);
        }
        long size = 0;
        int digits = 0;
        int i = start;
        for (; i < lf - 1; i++) {
            int d = Character.digit(in.getByte(i), 16);
            if (d < 0) {
                break;
            }
            if (++digits > 15) {
                return refuse(400, "chunk size too large", null, null, null);
            }
            size = size * 16 + d;
        }
        if (digits == 0) {
            return refuse(400, "invalid chunk size", null, null, null);
        }
        for (; i < lf - 1; i++) {
            // chunk extensions (";name=value") are allowed and ignored; control characters are not.
            byte b = in.getByte(i);
            if ((b >= 0 && b < 0x20 && b != '\t') || b == 0x7f || (i == start + digits && b != ';' && !isOws(b))) {
                return refuse(400, "invalid chunk size line", null, null, null);
            }
        }
        in.readerIndex(lf + 1);
        if (size == 0) {
            state = State.TRAILERS;
            trailers = DefaultHttpHeadersFactory.trailersFactory().withValidation(false).newHeaders();
            trailerBytes = 0;
            return readTrailers(in);
        }
        remaining = size;
        state = State.CHUNK_DATA;
        return readChunkData(in);
    }

    private Event readChunkData(ByteBuf in) {
        int n = (int) Math.min(remaining, in.readableBytes());
        if (n == 0) {
            return null;
        }
        remaining -= n;
        if (remaining == 0) {
            state = State.CHUNK_DATA_END;
        }
        return new BodyData(in.readRetainedSlice(n));
    }

    private Event readChunkDataEnd(ByteBuf in) {
        if (in.readableBytes() < 2) {
            return null;
        }
        if (in.getByte(in.readerIndex()) != '\r' || in.getByte(in.readerIndex() + 1) != '\n') {
            return refuse(400, "chunk data not followed by CRLF", null, null, null);
        }
        in.skipBytes(2);
        state = State.CHUNK_SIZE;
        return readChunkSize(in);
    }

    private Event readTrailers(ByteBuf in) {
        while (true) {
            int start = in.readerIndex();
            int lf = in.indexOf(start, in.writerIndex(), (byte) '\n');
            if (lf < 0) {
                return trailerBytes + in.readableBytes() > maxHeadSize
                        ? refuse(431, "oversized trailer fields", null, null, null) : null;
            }
            if (lf == start || in.getByte(lf - 1) != '\r') {
                return refuse(400, "trailer line ends in LF without CR", null, null, null);
            }
            trailerBytes += lf + 1 - start;
            if (trailerBytes > maxHeadSize) {
                return refuse(431, "oversized trailer fields", null, null, null);
            }
            if (lf - 1 == start) {
                in.readerIndex(lf + 1);
                state = State.HEAD;
                HttpHeaders done = trailers;
                trailers = null;
                return new BodyEnd(done);
            }
            byte[] line = new byte[lf - 1 - start];
            in.getBytes(start, line);
            String problem = addField(line, 0, line.length, trailers, new FieldsSeen());
            if (problem != null) {
                return refuse(400, "trailer: " + problem, null, null, null);
            }
            in.readerIndex(lf + 1);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private Refused refuse(int status, String reason, String method, String target, Request.Protocol protocol) {
        state = State.BROKEN;
        return new Refused(status, reason, method, target, protocol);
    }

    private static long parseLength(String v) {
        if (v.isEmpty() || v.length() > 18) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    static boolean hasToken(List<String> values, String token) {
        for (String v : values) {
            for (String t : v.split(",")) {
                if (t.strip().equalsIgnoreCase(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isOws(byte b) {
        return b == ' ' || b == '\t';
    }

    private static boolean startsWithIgnoreCase(String s, String prefix) {
        return s.regionMatches(true, 0, prefix, 0, prefix.length());
    }

    private static int indexOfAny(String s, int from, String chars) {
        for (int i = from; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }
}
