package io.lightgate.modules.accesslog;

import io.lightgate.modules.accesslog.LogFormat.Directive;
import io.lightgate.modules.accesslog.LogFormat.Field;
import io.lightgate.modules.accesslog.LogFormat.Literal;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;

/** Renders one access log line (with its '\n') from a format and an entry. */
public final class LineRenderer {
    private final ZoneId zone;

    /** Renders %t in {@code zone} (lighttpd uses local time). */
    public LineRenderer(ZoneId zone) {
        this.zone = zone;
    }

    public byte[] render(LogFormat format, AccessEntry e, LogEscaping esc) {
        LineBuffer out = new LineBuffer();
        for (Field f : format.fields()) {
            switch (f) {
                case Literal l -> out.appendUtf8(l.text());
                case Directive d -> directive(out, d, e, esc);
            }
        }
        out.append((byte) '\n');
        return out.toByteArray();
    }

    private void directive(LineBuffer out, Directive d, AccessEntry e, LogEscaping esc) {
        var request = e.request();
        switch (d.kind()) {
            case REMOTE_ADDR -> out.appendAscii(addressText(request.remoteAddress()));
            case REMOTE_ADDR_MASKED -> out.appendAscii(masked(addressText(request.remoteAddress())));
            case LOCAL_ADDR -> out.appendUtf8(listenerHost(request.serverSocket(), request.localAddress()));
            case LOCAL_PORT -> out.appendUtf8(listenerPort(request.serverSocket(), request.localAddress()));
            case REMOTE_PORT -> out.appendAscii(request.remoteAddress() instanceof InetSocketAddress i
                    ? Integer.toString(i.getPort()) : "");
            case BYTES_BODY -> bytes(out, e.bodyBytes(), e.bytesOut() > 0);
            case BYTES_IN -> bytes(out, e.bytesIn(), e.bytesIn() > 0);
            case BYTES_OUT -> bytes(out, e.bytesOut(), e.bytesOut() > 0);
            case COOKIE -> {
                String v = cookie(request.headers().getAll(HttpHeaderNames.COOKIE), d.arg());
                if (v != null) {
                    esc.append(out, v);
                }
            }
            case ENV -> out.append((byte) '-'); // no mod_setenv/mod_auth: no request environment
            case FILENAME -> orDash(out, e.physicalPath(), esc);
            case PROTOCOL -> out.appendAscii(request.protocol().text());
            case REQUEST_HEADER -> orDash(out, joined(request.headers(), d.arg()), esc);
            case RESPONSE_HEADER -> orDash(out, e.responseHeaders() == null ? null
                    : joined(e.responseHeaders(), d.arg()), esc);
            case KEEPALIVE_COUNT -> out.append(request.earlierOnConnection()); // lighttpd: request_count - 1
            case METHOD -> esc.append(out, request.method());
            case QUERY -> esc.append(out, request.query());
            case REQUEST_LINE -> {
                esc.append(out, request.method());
                out.append((byte) ' ');
                esc.append(out, request.target());
                out.append((byte) ' ');
                out.appendAscii(request.protocol().text());
            }
            case STATUS -> {
                if (e.status() < 0) {
                    out.append((byte) '-');
                } else {
                    out.append(e.status());
                }
            }
            case TIMESTAMP -> timestamp(out, d, e);
            case TIME_USED -> timeUsed(out, d, e);
            case URL_PATH -> {
                String t = request.target();
                int q = t.indexOf('?');
                esc.append(out, q < 0 ? t : t.substring(0, q));
            }
            case SERVER_NAME -> orDash(out, e.serverName() != null && !e.serverName().isBlank()
                    ? e.serverName() : request.host(), esc);
            case HTTP_HOST -> orDash(out, request.host(), esc);
            case CONNECTION_STATUS -> out.append((byte) (e.status() < 0 ? 'X' : e.keptAlive() ? '+' : '-'));
            case NOTHING -> { }
        }
    }

    private static void bytes(LineBuffer out, long n, boolean any) {
        if (any) {
            out.append(n);
        } else {
            out.append((byte) '-');
        }
    }

    private static void orDash(LineBuffer out, String v, LogEscaping esc) {
        if (v == null || v.isEmpty()) {
            out.append((byte) '-');
        } else {
            esc.append(out, v);
        }
    }

    private static String joined(HttpHeaders headers, String name) {
        List<String> all = headers.getAll(name);
        return all.isEmpty() ? null : String.join(", ", all);
    }

    private void timestamp(LineBuffer out, Directive d, AccessEntry e) {
        Instant t = d.atStart() ? Instant.ofEpochMilli(e.request().startMillis()) : e.end();
        if (d.unit() == null) {
            String pattern = d.arg() == null ? Strftime.CLF : d.arg();
            out.appendUtf8(Strftime.format(pattern, ZonedDateTime.ofInstant(t, zone)));
            return;
        }
        long s = t.getEpochSecond();
        long ns = t.getNano();
        switch (d.unit()) {
            case SEC -> out.append(s);
            // lighttpd rounds the fraction up
            case MSEC -> out.append(s * 1000 + (ns + 999_999) / 1_000_000);
            case USEC -> out.append(s * 1_000_000 + (ns + 999) / 1000);
            case NSEC -> out.append(s * 1_000_000_000 + ns);
            case MSEC_FRAC -> fraction(out, (ns + 999_999) / 1_000_000, 3);
            case USEC_FRAC -> fraction(out, (ns + 999) / 1000, 6);
            case NSEC_FRAC -> fraction(out, ns, 9);
        }
    }

    private static void fraction(LineBuffer out, long v, int width) {
        String s = Long.toString(v);
        for (int i = s.length(); i < width; i++) {
            out.append((byte) '0');
        }
        out.appendAscii(s);
    }

    private static void timeUsed(LineBuffer out, Directive d, AccessEntry e) {
        if (d.unit() == LogFormat.TimeUnit.SEC) {
            // lighttpd: whole seconds of the wall clock at the end minus those at the start
            out.append(e.end().getEpochSecond() - e.request().startMillis() / 1000);
            return;
        }
        long ns = e.elapsedNanos();
        if (ns <= 0) {
            out.append(-1);
            return;
        }
        switch (d.unit()) {
            case MSEC -> out.append((ns + 999_999) / 1_000_000);
            case USEC -> out.append((ns + 999) / 1000);
            default -> out.append(ns);
        }
    }

    /** The client address as inet_ntop writes it (IPv6 compressed); "-" when not an IP socket. */
    static String addressText(SocketAddress a) {
        if (a instanceof InetSocketAddress i && i.getAddress() != null) {
            InetAddress ip = i.getAddress();
            return NetUtil.toAddressString(ip);
        }
        return "-";
    }

    /** %{mask}a: the last IPv4 octet zeroed, or an IPv6 address cut to its first 48 bits. */
    static String masked(String ip) {
        if (ip.indexOf('.') >= 0) {
            int dot = ip.lastIndexOf('.');
            return ip.substring(0, dot + 1) + "0";
        }
        if (ip.indexOf(':') < 0) {
            return ip;
        }
        int groups = 0;
        for (int i = 0; i < ip.length(); i++) {
            if (ip.charAt(i) != ':') {
                continue;
            }
            if (++groups == 3 || (i + 1 < ip.length() && ip.charAt(i + 1) == ':')) {
                return ip.substring(0, i + 1) + ":";
            }
        }
        return ip;
    }

    /** %A: the host part of the listener as configured ("0.0.0.0" for a wildcard), as lighttpd prints. */
    static String listenerHost(String token, SocketAddress local) {
        if (token == null || token.isEmpty()) {
            return addressText(local);
        }
        if (token.startsWith("/")) {
            return token;
        }
        int colon = token.lastIndexOf(':');
        if (colon < 0 || (token.startsWith("[") && colon < token.indexOf(']'))) {
            return token;
        }
        return token.substring(0, colon);
    }

    /** %p: the listener's port as configured. */
    static String listenerPort(String token, SocketAddress local) {
        if (token == null || token.isEmpty()) {
            return local instanceof InetSocketAddress i ? Integer.toString(i.getPort()) : "";
        }
        if (token.startsWith("/")) {
            return "";
        }
        int colon = token.lastIndexOf(':');
        if (colon < 0 || (token.startsWith("[") && colon < token.indexOf(']'))) {
            return local instanceof InetSocketAddress i ? Integer.toString(i.getPort()) : "";
        }
        return token.substring(colon + 1);
    }

    /** lighttpd's cookie scan: the value of the first "name=" pair, trailing blanks dropped. */
    static String cookie(List<String> headers, String name) {
        for (String header : headers) {
            for (String pair : header.split(";")) {
                String p = pair.stripLeading();
                if (p.length() > name.length() && p.startsWith(name) && p.charAt(name.length()) == '=') {
                    String v = p.substring(name.length() + 1).stripTrailing();
                    return v.isEmpty() ? null : v;
                }
            }
        }
        return null;
    }
}
