package io.lightgate.gateway.cgi;

import io.lightgate.http.Cumulation;
import io.lightgate.http.HttpText;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A strict, incremental parser of the head a CGI program (or a FastCGI/SCGI backend) writes before its body
 * (RFC 3875 §6): header lines ended by LF or CRLF, {@code Status: NNN [reason]}, {@code Location} without
 * {@code Status} meaning 302, an NPH status line when the output starts with {@code HTTP/}, and output whose first
 * line is no header at all taken whole as a 200 body. Interim 1xx heads (not 101) are skipped. {@code Status} and
 * {@code Upgrade} may come in either order (lighttpd 1.4.74+ wants {@code Status} first). A head over
 * {@link #MAX_HEAD_BYTES}, an invalid field name, a control character, obs-fold, a bad status or Content-Length, or
 * a 101 without {@code Upgrade} is malformed.
 * <p>
 * The parser owns the bytes fed to it. After {@link Progress#HEAD} the caller takes the bytes that followed the
 * head with {@link #takeLeftover()} and feeds nothing more; {@link #release()} frees what is held otherwise.
 */
public final class CgiResponseParser {
    /** Largest head accepted (lighttpd's limit for backend response headers). */
    public static final int MAX_HEAD_BYTES = 64 * 1024;

    /** Where parsing stands after a call. */
    public enum Progress { NEED_MORE, HEAD, MALFORMED }

    private enum State { DETECT, LINES, DONE, BROKEN }

    private static final byte[] NPH_PREFIX = "HTTP/".getBytes(StandardCharsets.ISO_8859_1);

    private final ByteBufAllocator alloc;
    private State state = State.DETECT;
    /** Bytes not consumed yet; offsets below are relative to its reader index. */
    private ByteBuf pending;
    private int scanned;
    private int lineStart;
    private boolean nph;
    private final List<String> lines = new ArrayList<>();
    private boolean anyByte;
    private CgiResponseHead head;
    private String malformed;

    public CgiResponseParser(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    /** Feeds output bytes (ownership passes). Not to be called once the head was read. */
    public Progress feed(ByteBuf data) {
        if (state == State.DONE) {
            data.release();
            throw new IllegalStateException("the head was read: take the leftover and feed the stream elsewhere");
        }
        if (state == State.BROKEN) {
            data.release();
            return Progress.MALFORMED;
        }
        anyByte |= data.isReadable();
        pending = Cumulation.append(pending, data);
        return run(false);
    }

    /** The program closed its output. A head not finished by then is malformed, unless it was no head at all. */
    public Progress endOfInput() {
        return switch (state) {
            case DONE -> Progress.HEAD;
            case BROKEN -> Progress.MALFORMED;
            default -> run(true);
        };
    }

    /** Whether the program wrote any byte. */
    public boolean anyByte() {
        return anyByte;
    }

    /** The head, once {@link Progress#HEAD} was returned; else null. */
    public CgiResponseHead head() {
        return head;
    }

    /** Why the output was refused, once {@link Progress#MALFORMED} was returned; else null. */
    public String malformedReason() {
        return malformed;
    }

    /** After the head: the bytes that followed it (body or upgraded stream, possibly empty). The caller owns them. */
    public ByteBuf takeLeftover() {
        if (state != State.DONE) {
            throw new IllegalStateException("no head yet");
        }
        ByteBuf b = pending;
        pending = null;
        return b == null ? alloc.buffer(0) : b;
    }

    /** Frees what is held. */
    public void release() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
        if (state != State.DONE) {
            state = State.BROKEN;
        }
    }

    private Progress run(boolean eof) {
        while (true) {
            Progress p = switch (state) {
                case DETECT -> detect(eof);
                case LINES -> nextLine(eof);
                case DONE -> Progress.HEAD;
                case BROKEN -> Progress.MALFORMED;
            };
            if (p != null) {
                return p;
            }
        }
    }

    /** Decides what the output starts with: an NPH status line, a header, an empty head, or no head. */
    private Progress detect(boolean eof) {
        int n = pending == null ? 0 : pending.readableBytes();
        if (n == 0) {
            return eof ? fail("the program ended without output") : Progress.NEED_MORE;
        }
        int base = pending.readerIndex();
        int prefix = Math.min(n, NPH_PREFIX.length);
        boolean nphSoFar = true;
        for (int i = 0; i < prefix && nphSoFar; i++) {
            nphSoFar = pending.getByte(base + i) == NPH_PREFIX[i];
        }
        if (nphSoFar) {
            if (n < NPH_PREFIX.length) {
                return eof ? bodyOnly() : Progress.NEED_MORE;
            }
            nph = true;
            startLines();
            return null;
        }
        for (int i = scanned; i < n; i++) {
            byte c = pending.getByte(base + i);
            if (c == ':') {
                if (i == 0) {
                    return bodyOnly();
                }
                startLines();
                return null;
            }
            if (i == 0 && (c == '\n' || c == '\r')) {
                if (c == '\r' && n == 1) {
                    return eof ? bodyOnly() : Progress.NEED_MORE;
                }
                if (c == '\r' && pending.getByte(base + 1) != '\n') {
                    return bodyOnly();
                }
                // an empty head: no header, the body follows the blank line
                pending.skipBytes(c == '\n' ? 1 : 2);
                return finish(List.of());
            }
            if (!HttpText.isTokenChar(c)) {
                return bodyOnly();
            }
        }
        scanned = n;
        if (n > MAX_HEAD_BYTES) {
            return fail("response head larger than " + MAX_HEAD_BYTES + " bytes");
        }
        // only field-name characters so far: a header name or a word of body text
        return eof ? bodyOnly() : Progress.NEED_MORE;
    }

    private void startLines() {
        state = State.LINES;
        scanned = 0;
        lineStart = 0;
        lines.clear();
    }

    private Progress nextLine(boolean eof) {
        int base = pending.readerIndex();
        int n = pending.readableBytes();
        int lf = -1;
        for (int i = scanned; i < n; i++) {
            if (pending.getByte(base + i) == '\n') {
                lf = i;
                break;
            }
        }
        if (lf < 0) {
            scanned = n;
            if (n > MAX_HEAD_BYTES) {
                return fail("response head larger than " + MAX_HEAD_BYTES + " bytes");
            }
            return eof ? fail("the program ended inside its response head") : Progress.NEED_MORE;
        }
        if (lf + 1 > MAX_HEAD_BYTES) {
            return fail("response head larger than " + MAX_HEAD_BYTES + " bytes");
        }
        int end = lf > lineStart && pending.getByte(base + lf - 1) == '\r' ? lf - 1 : lf;
        String line = pending.toString(base + lineStart, end - lineStart, StandardCharsets.ISO_8859_1);
        scanned = lf + 1;
        lineStart = lf + 1;
        if (!line.isEmpty()) {
            lines.add(line);
            return null;
        }
        pending.skipBytes(lf + 1);
        return finish(List.copyOf(lines));
    }

    /** A complete head: checks it and either ends (HEAD, MALFORMED) or skips an interim 1xx and goes on. */
    private Progress finish(List<String> headLines) {
        int status = -1;
        String reason = null;
        int first = 0;
        if (nph) {
            String statusLine = headLines.getFirst();
            if (statusLine.length() < 12 || !statusLine.startsWith("HTTP/1.")
                    || (statusLine.charAt(7) != '0' && statusLine.charAt(7) != '1') || statusLine.charAt(8) != ' ') {
                return fail("invalid NPH status line: " + HttpText.printable(statusLine, 80));
            }
            status = statusCode(statusLine.substring(9));
            if (status < 0) {
                return fail("invalid NPH status line: " + HttpText.printable(statusLine, 80));
            }
            reason = statusLine.length() > 13 ? statusLine.substring(13) : null;
            if (hasControl(statusLine)) {
                return fail("control character in the NPH status line");
            }
            first = 1;
        }
        boolean explicitStatus = nph;
        HttpHeaders headers = DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders();
        boolean contentLength = false;
        for (int l = first; l < headLines.size(); l++) {
            String line = headLines.get(l);
            char c0 = line.charAt(0);
            if (c0 == ' ' || c0 == '\t') {
                return fail("obsolete line folding in the response head");
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || !HttpText.isToken(line, 0, colon)) {
                return fail("invalid header line: " + HttpText.printable(line, 80));
            }
            String name = line.substring(0, colon);
            String value = HttpText.trimOws(line.substring(colon + 1));
            if (hasControl(value)) {
                return fail("control character in the " + name + " header");
            }
            if (name.equalsIgnoreCase("Status")) {
                if (explicitStatus) {
                    return fail("more than one status in the response head");
                }
                status = statusCode(value);
                if (status < 0) {
                    return fail("invalid Status header: " + HttpText.printable(value, 80));
                }
                reason = value.length() > 4 ? value.substring(4) : null;
                explicitStatus = true;
                continue;
            }
            if (name.equalsIgnoreCase("Content-Length")) {
                if (contentLength || !isDigits(value)) {
                    return fail("invalid or repeated Content-Length: " + HttpText.printable(value, 80));
                }
                contentLength = true;
            }
            headers.add(name, value);
        }
        String location = headers.get("Location");
        if (!explicitStatus) {
            status = location != null ? 302 : 200;
        }
        if (status < 200 && status != 101) {
            // an interim response: the final head follows
            nph = false;
            state = State.DETECT;
            scanned = 0;
            lines.clear();
            return null;
        }
        boolean upgrade = status == 101 && headers.contains("Upgrade");
        if (status == 101 && !upgrade) {
            return fail("101 without an Upgrade header");
        }
        if (status != 101) {
            headers.remove("Upgrade"); // lighttpd keeps Upgrade only on a 101 (reference §1.4)
        }
        head = new CgiResponseHead(status, reason, headers, explicitStatus, nph, true, upgrade, location);
        state = State.DONE;
        return Progress.HEAD;
    }

    private Progress bodyOnly() {
        head = new CgiResponseHead(200, null,
                DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders(),
                false, false, false, false, null);
        state = State.DONE;
        return Progress.HEAD;
    }

    private Progress fail(String why) {
        state = State.BROKEN;
        malformed = why;
        if (pending != null) {
            pending.release();
            pending = null;
        }
        return Progress.MALFORMED;
    }

    /** "NNN" or "NNN reason" with NNN in 100..599, else -1. */
    private static int statusCode(String s) {
        if (s.length() < 3 || s.length() > 3 && s.charAt(3) != ' ') {
            return -1;
        }
        int code = 0;
        for (int i = 0; i < 3; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            code = code * 10 + (c - '0');
        }
        return code >= 100 && code <= 599 ? code : -1;
    }

    private static boolean isDigits(String v) {
        if (v.isEmpty() || v.length() > 18) {
            return false;
        }
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean hasControl(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                return true;
            }
        }
        return false;
    }
}
