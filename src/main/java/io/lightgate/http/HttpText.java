package io.lightgate.http;

/**
 * The small pieces of HTTP/1 and CGI head grammar every strict parser here needs (the client's request, a
 * backend's response, a CGI program's head, SCGI/FastCGI variables): one definition of each.
 */
public final class HttpText {
    private HttpText() { }

    /** RFC 9110 tchar. */
    public static boolean isTokenChar(int c) {
        if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
            return true;
        }
        return switch (c) {
            case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~' -> true;
            default -> false;
        };
    }

    /** Whether {@code s[from, to)} is a non-empty token. */
    public static boolean isToken(CharSequence s, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (!isTokenChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** A decimal of 1 to 18 digits (no sign, no spaces), else -1. */
    public static long decimal(CharSequence v) {
        if (v == null || v.isEmpty() || v.length() > 18) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    /** At most {@code max} chars of {@code s} for an error-log line, control and non-ASCII chars as \xNN. */
    public static String printable(CharSequence s, int max) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(s.length(), max); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7f) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** {@code v} without optional whitespace (SP, HT) at either end (RFC 9110 OWS), nothing else removed. */
    public static String trimOws(String v) {
        int from = 0;
        int to = v.length();
        while (from < to && (v.charAt(from) == ' ' || v.charAt(from) == '\t')) {
            from++;
        }
        while (to > from && (v.charAt(to - 1) == ' ' || v.charAt(to - 1) == '\t')) {
            to--;
        }
        return v.substring(from, to);
    }
}
