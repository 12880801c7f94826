package io.lightgate.modules.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.http.Request;
import io.lightgate.modules.support.TestExchange;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LineRendererTest {
    private final LineRenderer renderer = new LineRenderer(ZoneOffset.ofHours(2));

    private static Request request(String method, String target, Request.Protocol protocol, String remoteIp,
                                   String token, String... headers) {
        int q = target.indexOf('?');
        return new Request(method, target, protocol, TestExchange.headers(headers),
                q < 0 ? target : target.substring(0, q), q < 0 ? "" : target.substring(q + 1), "example.org:8080",
                "http", new InetSocketAddress(remoteIp, 50123), new InetSocketAddress("127.0.0.1", 8080), token, -1);
    }

    private static AccessEntry entry(Request r, int status, long body, long in, long out, HttpHeaders resp) {
        return new AccessEntry(r, status, body, in, out, resp, "/srv/www/a.txt", null,
                Instant.ofEpochSecond(1795290662L, 123_456_789), 2_500_000, true);
    }

    private String render(String format, AccessEntry e, LogEscaping esc) {
        return new String(renderer.render(LogFormat.parse(format), e, esc), StandardCharsets.ISO_8859_1);
    }

    private String render(String format, AccessEntry e) {
        return render(format, e, LogEscaping.DEFAULT);
    }

    private final Request plain = request("GET", "/a.txt?x=1&y=2", Request.Protocol.HTTP_1_1, "192.0.2.33",
            "0.0.0.0:8080", "Referer", "http://r/", "User-Agent", "curl/8", "Cookie", "a=1; sid = no; sid=abc ;z=2");

    @Test
    void defaultFormatLine() {
        HttpHeaders resp = new DefaultHttpHeaders().add("ETag", "\"1\"");
        String line = render(LogFormat.DEFAULT_TEXT, entry(plain, 200, 1357, 80, 1600, resp));
        // the request started 2.5 ms before the end; %t is the end time in the renderer's zone
        assertThat(line).isEqualTo("192.0.2.33 example.org:8080 - [21/Nov/2026:21:51:02 +0200] "
                + "\"GET /a.txt?x=1&y=2 HTTP/1.1\" 200 1357 \"http://r/\" \"curl/8\"\n");
    }

    @Test
    void everyDirective() {
        HttpHeaders resp = new DefaultHttpHeaders().add("ETag", "\"1\"").add("X-Multi", "a").add("X-Multi", "b");
        AccessEntry e = entry(plain, 206, 10, 80, 300, resp);
        assertThat(render("%a|%h|%{mask}a|%A|%p|%{remote}p", e)).isEqualTo("192.0.2.33|192.0.2.33|192.0.2.0|0.0.0.0|8080|50123\n");
        assertThat(render("%b|%B|%I|%O", e)).isEqualTo("10|10|80|300\n");
        assertThat(render("%{sid}C|%{none}C|%{a}C", e)).isEqualTo("abc||1\n");
        assertThat(render("%D|%{ms}T|%{us}T|%{ns}T", e)).isEqualTo("2500|3|2500|2500000\n");
        assertThat(render("%{X}e|%u|%{N}n|%k|%P|%l", e)).isEqualTo("-|-|-|0||-\n");
        assertThat(render("%f|%H|%m|%q|%U|%r", e))
                .isEqualTo("/srv/www/a.txt|HTTP/1.1|GET|x=1&y=2|/a.txt|GET /a.txt?x=1&y=2 HTTP/1.1\n");
        assertThat(render("%{User-Agent}i|%{X-None}i|%{ETag}o|%{X-Multi}o|%{X-None}o", e))
                .isEqualTo("curl/8|-|\\\"1\\\"|a, b|-\n");
        assertThat(render("%s|%>s|%v|%V|%X|%%", e)).isEqualTo("206|206|example.org:8080|example.org:8080|+|%\n");
    }

    @Test
    void keepAliveCountIsTheNumberOfEarlierRequestsOnTheConnection() {
        Request third = new Request("GET", "/c", Request.Protocol.HTTP_1_1, TestExchange.headers(), "/c", "",
                "example.org", "http", new InetSocketAddress("192.0.2.1", 50123),
                new InetSocketAddress("127.0.0.1", 8080), "0.0.0.0:8080", -1, 2);
        assertThat(render("%k", entry(third, 200, 0, 0, 0, null))).isEqualTo("2\n");
    }

    @Test
    void timeDirectives() {
        AccessEntry e = entry(plain, 200, 1, 1, 1, null);
        assertThat(render("%{sec}t|%{msec}t|%{usec}t|%{nsec}t", e))
                .isEqualTo("1795290662|1795290662124|1795290662123457|1795290662123456789\n");
        assertThat(render("%{msec_frac}t|%{usec_frac}t|%{nsec_frac}t", e)).isEqualTo("124|123457|123456789\n");
        assertThat(render("%{%Y-%m-%dT%H:%M:%S%z}t", e)).isEqualTo("2026-11-21T21:51:02+0200\n");
        assertThat(render("%{%a %A %b %B %e %j %I %p %y %C %u %w %F %T %D %R %s %q}t", e))
                .isEqualTo("Sat Saturday Nov November 21 325 09 PM 26 20 6 6 2026-11-21 21:51:02 11/21/26 21:51 "
                        + "1795290662 %q\n");
        Request started = new Request("GET", "/", Request.Protocol.HTTP_1_1, new DefaultHttpHeaders(), "/", "",
                "", "http", new InetSocketAddress("127.0.0.1", 1), new InetSocketAddress("127.0.0.1", 2), "", -1);
        AccessEntry fromStart = new AccessEntry(started, 200, 0, 0, 0, null, null, null,
                Instant.ofEpochMilli(started.startMillis() + 3000), 3_000_000_000L, true);
        assertThat(render("%{begin:sec}t", fromStart)).isEqualTo(started.startMillis() / 1000 + "\n");
        assertThat(render("%T", fromStart)).isEqualTo("3\n");
    }

    @Test
    void missingValuesAndNoResponse() {
        Request r = request("GET", "/", Request.Protocol.HTTP_1_0, "::1", "[::1]:80");
        AccessEntry none = new AccessEntry(r, -1, 0, 0, 0, null, null, null, Instant.now(), 0, false);
        assertThat(render("%s|%b|%I|%O|%X|%f|%{ETag}o|%T|%{ms}T", none)).isEqualTo("-|-|-|-|X|-|-|0|-1\n");
        assertThat(render("%a|%{mask}a|%A|%p|%H", none)).isEqualTo("::1|::|[::1]|80|HTTP/1.0\n");
        AccessEntry closed = new AccessEntry(r, 304, 0, 90, 150, new DefaultHttpHeaders(), null, null,
                Instant.now(), 10, false);
        assertThat(render("%b|%X", closed)).isEqualTo("0|-\n");
    }

    @Test
    void ipv6Masking() {
        assertThat(LineRenderer.masked("2001:db8:1:2:3:4:5:6")).isEqualTo("2001:db8:1::");
        assertThat(LineRenderer.masked("2001:db8::1")).isEqualTo("2001:db8::");
        assertThat(LineRenderer.masked("::ffff:192.0.2.7")).isEqualTo("::ffff:192.0.2.0");
        assertThat(LineRenderer.addressText(new InetSocketAddress("0:0:0:0:0:0:0:1", 1))).isEqualTo("::1");
    }

    @Test
    void escapingDefaultAndJson() {
        // what a lenient parser may hand over: control bytes and obs-text in a header value
        HttpHeaders raw = io.netty.handler.codec.http.DefaultHttpHeadersFactory.headersFactory()
                .withValidation(false).newHeaders().add("User-Agent", "a\"b\\c\td\u0001e\u00e9f\u007f");
        Request r = new Request("GET", "/p", Request.Protocol.HTTP_1_1, raw, "/p", "", "", "http",
                new InetSocketAddress("127.0.0.1", 1), new InetSocketAddress("127.0.0.1", 80), "127.0.0.1:80", -1);
        AccessEntry e = entry(r, 200, 0, 0, 0, null);
        assertThat(render("%{User-Agent}i", e, LogEscaping.DEFAULT)).isEqualTo("a\\\"b\\\\c\\td\\x01e\\xE9f\\x7F\n");
        assertThat(render("%{User-Agent}i", e, LogEscaping.JSON)).isEqualTo("a\\\"b\\\\c\\td\\u0001e\u00e9f\u007f\n");
        Request utf = request("GET", "/\u00fc\u20ac", Request.Protocol.HTTP_1_1, "127.0.0.1", "127.0.0.1:80");
        assertThat(render("%r", entry(utf, 200, 0, 0, 0, null), LogEscaping.DEFAULT))
                .isEqualTo("GET /\\xFC\\xE2\\x82\\xAC HTTP/1.1\n");
        assertThat(LogEscaping.of("json")).isEqualTo(LogEscaping.JSON);
        assertThat(LogEscaping.of("default")).isEqualTo(LogEscaping.DEFAULT);
        assertThat(LogEscaping.of("JSON")).isEqualTo(LogEscaping.DEFAULT);
    }

    @Test
    void literalTextIsWrittenAsUtf8() {
        AccessEntry e = entry(plain, 200, 0, 0, 0, null);
        byte[] line = renderer.render(LogFormat.parse("\u00e9 %s"), e, LogEscaping.DEFAULT);
        assertThat(new String(line, StandardCharsets.UTF_8)).isEqualTo("\u00e9 200\n");
    }
}
