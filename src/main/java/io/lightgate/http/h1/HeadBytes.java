package io.lightgate.http.h1;

import io.lightgate.http.HttpStatus;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A response head assembled as ISO-8859-1 bytes in a reused per-thread array, copied into the outbound
 * buffer in one bulk write. Measured: writing the head char by char into Netty's direct buffer cost ~14% of
 * the event loop (each byte went through DirectByteBuffer.put with its scope checks, as Netty 4.2 on JDK 25
 * does not use sun.misc.Unsafe). Status lines, the Date line and the Server line are kept as bytes; the
 * caches are per thread, so nothing is shared between event loops.
 */
final class HeadBytes {
    private static final FastThreadLocal<HeadBytes> PER_THREAD = new FastThreadLocal<>() {
        @Override
        protected HeadBytes initialValue() {
            return new HeadBytes();
        }
    };

    private static final int FIRST_STATUS = 100;
    private static final int LAST_STATUS = 599;

    private byte[] buf = new byte[512];
    private int length;
    private final byte[][] statusLines11 = new byte[LAST_STATUS - FIRST_STATUS + 1][];
    private final byte[][] statusLines10 = new byte[LAST_STATUS - FIRST_STATUS + 1][];
    private long dateSecond = Long.MIN_VALUE;
    private byte[] dateLine;
    private String serverTag;
    private byte[] serverLine;

    private HeadBytes() { }

    /** This thread's builder, emptied. */
    static HeadBytes start() {
        HeadBytes h = PER_THREAD.get();
        h.length = 0;
        return h;
    }

    byte[] array() { return buf; }
    int length() { return length; }

    /** "HTTP/1.x status reason\r\n". */
    HeadBytes statusLine(String version, int status) {
        if (status < FIRST_STATUS || status > LAST_STATUS || !(version.equals("HTTP/1.1") || version.equals("HTTP/1.0"))) {
            return text(version).ascii(' ').text(Integer.toString(status)).ascii(' ')
                    .text(HttpStatus.reason(status)).crlf();
        }
        byte[][] lines = version.equals("HTTP/1.1") ? statusLines11 : statusLines10;
        byte[] line = lines[status - FIRST_STATUS];
        if (line == null) {
            line = (version + " " + status + " " + HttpStatus.reason(status) + "\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1);
            lines[status - FIRST_STATUS] = line;
        }
        return bytes(line);
    }

    /** "Date: ...\r\n" for the current second. */
    HeadBytes dateLine() {
        long second = System.currentTimeMillis() / 1000;
        if (second != dateSecond || dateLine == null) {
            dateLine = ("Date: " + Http1ResponseWriter.HttpDate.now() + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
            dateSecond = second;
        }
        return bytes(dateLine);
    }

    /** "Server: tag\r\n"; the tag is usually the same object on every request. */
    HeadBytes serverLine(String tag) {
        if (!tag.equals(serverTag)) {
            serverLine = ("Server: " + tag + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
            serverTag = tag;
        }
        return bytes(serverLine);
    }

    /** RFC 9110 tchar: the characters a header name may have. */
    private static final boolean[] TOKEN = new boolean[128];

    static {
        for (char c = '!'; c <= '~'; c++) {
            TOKEN[c] = "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
        }
    }

    /**
     * Appends "name: value\r\n" and returns true, or appends nothing and returns false when the name is not
     * a token or the value holds a control character other than HTAB (CR, LF and NUL among them) or a char
     * that is not one ISO-8859-1 byte: such a field could split the head or inject another, so it is never sent. Checked here, during the one copy
     * every char goes through anyway, rather than on each set() into the response's headers.
     */
    boolean field(CharSequence name, CharSequence value) {
        int n = name.length();
        int v = value.length();
        if (n == 0) {
            return false;
        }
        ensure(n + v + 4);
        byte[] b = buf;
        int at = length;
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            if (c >= 128 || !TOKEN[c]) {
                return false;
            }
            b[at++] = (byte) c;
        }
        b[at++] = ':';
        b[at++] = ' ';
        for (int i = 0; i < v; i++) {
            char c = value.charAt(i);
            if (c < ' ' && c != '\t' || c == 0x7f || c > 0xff) {
                return false;
            }
            b[at++] = (byte) c;
        }
        b[at++] = '\r';
        b[at++] = '\n';
        length = at;
        return true;
    }

    HeadBytes bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, length, b.length);
        length += b.length;
        return this;
    }

    /** Text as ISO-8859-1, one char to one byte (callers pass ASCII: versions, reasons, numbers). */
    HeadBytes text(String s) {
        int n = s.length();
        ensure(n);
        byte[] b = buf;
        int at = length;
        for (int i = 0; i < n; i++) {
            b[at + i] = (byte) s.charAt(i);
        }
        length = at + n;
        return this;
    }

    HeadBytes decimal(long v) {
        if (v < 0) {
            return text(Long.toString(v));
        }
        int digits = 1;
        for (long t = v / 10; t != 0; t /= 10) {
            digits++;
        }
        ensure(digits);
        for (int i = length + digits - 1; i >= length; i--) {
            buf[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        length += digits;
        return this;
    }

    HeadBytes ascii(char c) {
        ensure(1);
        buf[length++] = (byte) c;
        return this;
    }

    HeadBytes crlf() {
        ensure(2);
        buf[length++] = '\r';
        buf[length++] = '\n';
        return this;
    }

    private void ensure(int more) {
        if (length + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, length + more));
        }
    }
}
