package io.lightgate.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * URL path normalisation as lighttpd 1.4.69 applies it before conditions and the file lookup: every
 * {@code %XX} is decoded (including {@code %2F}, which then separates segments like '/', so encoded dots
 * and slashes cannot climb out of the document root), {@code %00} is refused, repeated slashes collapse,
 * {@code .} and {@code ..} segments are resolved and never climb above the root. A malformed escape stays
 * literal. A backslash is an ordinary character (lighttpd's default on POSIX).
 */
public final class UrlPath {
    private UrlPath() { }

    /** The decoded, simplified path, or null when it must be refused with 400 (an encoded NUL). */
    public static String normalize(String rawPath) {
        if (isAlreadyNormal(rawPath)) {
            return rawPath;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(rawPath.length());
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            if (c == '%' && i + 2 < rawPath.length() && hex(rawPath.charAt(i + 1)) >= 0
                    && hex(rawPath.charAt(i + 2)) >= 0) {
                int b = hex(rawPath.charAt(i + 1)) * 16 + hex(rawPath.charAt(i + 2));
                if (b == 0) {
                    return null;
                }
                bytes.write(b);
                i += 2;
            } else {
                bytes.write(c & 0xff);
            }
        }
        return simplify(bytes.toString(StandardCharsets.UTF_8));
    }

    /**
     * Whether {@code raw} (a path or query string as received) holds a {@code %XX} that decodes to a control
     * character (0x00-0x1F, 0x7F): lighttpd refuses those with 400 (server.http-parseopts "url-ctrls-reject",
     * on by default), so that no decoded control reaches a condition, a file name, a log line or a backend.
     */
    public static boolean hasEncodedControl(String raw) {
        for (int i = raw.indexOf('%'); i >= 0 && i + 2 < raw.length(); i = raw.indexOf('%', i + 1)) {
            int hi = hex(raw.charAt(i + 1));
            int lo = hex(raw.charAt(i + 2));
            if (hi >= 0 && lo >= 0) {
                int b = hi * 16 + lo;
                if (b < 0x20 || b == 0x7F) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Whether normalising would return the path unchanged: it starts with '/', is ASCII without '%' (so
     * decoding is the identity) and has no empty segment but a trailing one, no "." and no ".." segment.
     * The common case; checked in one pass without allocating.
     */
    static boolean isAlreadyNormal(String path) {
        int n = path.length();
        if (n == 0 || path.charAt(0) != '/') {
            return false;
        }
        int segmentStart = 1;
        for (int i = 1; i <= n; i++) {
            char c = i < n ? path.charAt(i) : '/';
            if (c == '/') {
                int segmentLength = i - segmentStart;
                if (segmentLength == 0 && i < n
                        || segmentLength == 1 && path.charAt(segmentStart) == '.'
                        || segmentLength == 2 && path.charAt(segmentStart) == '.' && path.charAt(segmentStart + 1) == '.') {
                    return false;
                }
                segmentStart = i + 1;
            } else if (c == '%' || c >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** Collapses "//", removes "." and resolves ".." (never above "/"); keeps a trailing slash. */
    public static String simplify(String path) {
        Deque<String> segments = new ArrayDeque<>();
        String lastSegment = "";
        int i = 0;
        while (true) {
            int slash = path.indexOf('/', i);
            String seg = path.substring(i, slash < 0 ? path.length() : slash);
            switch (seg) {
                case "", "." -> { }
                case ".." -> segments.pollLast();
                default -> segments.addLast(seg);
            }
            lastSegment = seg;
            if (slash < 0) {
                break;
            }
            i = slash + 1;
        }
        if (segments.isEmpty()) {
            return "/";
        }
        StringBuilder out = new StringBuilder(path.length() + 1);
        for (String s : segments) {
            out.append('/').append(s);
        }
        if (lastSegment.isEmpty() || lastSegment.equals(".") || lastSegment.equals("..")) {
            out.append('/');
        }
        return out.toString();
    }

    /** Percent-encodes a decoded path for a Location header (UTF-8; '/' and sub-delims stay). */
    public static String encode(String path) {
        return Percent.encodeUtf8(path, "-._~!$&'()*+,;=:@/");
    }

    private static int hex(char c) {
        return Percent.hexValue(c);
    }
}
