package io.lightgate.http.h1;

/**
 * lighttpd's strict Host check (host-strict): a DNS name of letters, digits and '-' in non-empty labels
 * (one trailing dot allowed), an IPv4 address, or a bracketed IPv6 literal, optionally followed by
 * {@code :port}. '_' and anything else is 400, as lighttpd 1.4.69 answers.
 */
final class HostName {
    private HostName() { }

    static boolean isValid(String host) {
        if (host.isEmpty()) {
            return false;
        }
        int end = host.length();
        int portColon;
        if (host.charAt(0) == '[') {
            int close = host.indexOf(']');
            if (close < 2) {
                return false;
            }
            for (int i = 1; i < close; i++) {
                char c = host.charAt(i);
                if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                    return false;
                }
            }
            if (close == end - 1) {
                return true;
            }
            if (host.charAt(close + 1) != ':') {
                return false;
            }
            portColon = close + 1;
        } else {
            portColon = host.indexOf(':');
            int nameEnd = portColon < 0 ? end : portColon;
            if (!isDnsName(host, nameEnd)) {
                return false;
            }
            if (portColon < 0) {
                return true;
            }
        }
        return isPort(host, portColon + 1, end);
    }

    /**
     * lighttpd's host-normalize for a valid host: lower case, and a DNS name's trailing dot dropped
     * ({@code Example.org.:8080} is {@code example.org:8080}), so conditions, logs and backends see one spelling.
     */
    static String normalize(String host) {
        String lower = host.toLowerCase(java.util.Locale.ROOT);
        if (lower.startsWith("[")) {
            return lower;
        }
        int colon = lower.indexOf(':');
        int nameEnd = colon < 0 ? lower.length() : colon;
        if (nameEnd > 1 && lower.charAt(nameEnd - 1) == '.') {
            return lower.substring(0, nameEnd - 1).concat(lower.substring(nameEnd));
        }
        return lower;
    }

    private static boolean isDnsName(String host, int end) {
        int labelLength = 0;
        for (int i = 0; i < end; i++) {
            char c = host.charAt(i);
            if (c == '.') {
                if (labelLength == 0) {
                    return false;
                }
                labelLength = 0;
            } else if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
                labelLength++;
            } else {
                return false;
            }
        }
        return end > 0;
    }

    private static boolean isPort(String s, int from, int to) {
        if (from >= to || to - from > 5) {
            return false;
        }
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
            n = n * 10 + (c - '0');
        }
        return n <= 65535;
    }
}
