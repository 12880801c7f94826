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
        StringBuilder out = new StringBuilder(path.length() + 8);
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || "-._~!$&'()*+,;=:@/".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return out.toString();
    }

    private static int hex(char c) {
        return c < 128 ? Character.digit(c, 16) : -1;
    }
}
