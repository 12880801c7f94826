package io.lightgate.http;

import java.nio.charset.StandardCharsets;

/** Percent-encoding (RFC 3986 §2.1) as the URL code of the server and its modules use it: upper-case hex. */
public final class Percent {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Percent() { }

    /** The value of a hex digit, or -1. */
    public static int hexValue(char c) {
        return c < 128 ? Character.digit(c, 16) : -1;
    }

    /** RFC 3986's unreserved characters: letters, digits and {@code - . _ ~}. */
    public static boolean isUnreserved(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    /** The two upper-case hex digits of {@code b} (0..255). */
    public static void appendHex(StringBuilder out, int b) {
        out.append(HEX[b >> 4 & 0xF]).append(HEX[b & 0xF]);
    }

    /** {@code %XX} for the byte {@code b} (0..255). */
    public static void appendEncoded(StringBuilder out, int b) {
        appendHex(out.append('%'), b);
    }

    /** {@code s} as UTF-8 bytes, each encoded unless it is a letter, a digit or one of {@code plain}. */
    public static String encodeUtf8(String s, String plain) {
        StringBuilder out = new StringBuilder(s.length() + 8);
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || plain.indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                appendEncoded(out, c);
            }
        }
        return out.toString();
    }
}
