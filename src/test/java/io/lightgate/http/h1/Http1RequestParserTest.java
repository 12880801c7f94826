package io.lightgate.http.h1;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.http.Request;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class Http1RequestParserTest {

    /** Parsed events, with body bytes copied out as text so every ByteBuf is released here. */
    private static List<Object> parse(String raw, boolean oneByteAtATime, int maxHead) {
        Http1RequestParser parser = new Http1RequestParser(maxHead, false);
        byte[] bytes = raw.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuf cumulation = Unpooled.buffer();
        List<Object> events = new ArrayList<>();
        try {
            int step = oneByteAtATime ? 1 : bytes.length;
            for (int i = 0; i < bytes.length; i += step) {
                cumulation.writeBytes(bytes, i, Math.min(step, bytes.length - i));
                Http1RequestParser.Event e;
                while ((e = parser.next(cumulation)) != null) {
                    if (e instanceof Http1RequestParser.BodyData d) {
                        events.add("body:" + d.data().toString(StandardCharsets.ISO_8859_1));
                        d.data().release();
                    } else {
                        events.add(e);
                    }
                }
                cumulation.discardReadBytes();
            }
        } finally {
            cumulation.release();
        }
        return events;
    }

    private static List<Object> parse(String raw, boolean oneByteAtATime) {
        return parse(raw, oneByteAtATime, 8192);
    }

    static Stream<Arguments> refused() {
        String big = "a".repeat(8200);
        return Stream.of(
                Arguments.of("HTTP/0.9", "GET /\r\n\r\n", 400),
                Arguments.of("lower-case version", "GET / http/1.1\r\nHost: a\r\n\r\n", 400),
                Arguments.of("two spaces", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
                Arguments.of("space in target", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
                Arguments.of("HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
                Arguments.of("HTTP/1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505),
                Arguments.of("unknown method", "FOO / HTTP/1.1\r\nHost: a\r\n\r\n", 501),
                Arguments.of("lower-case method", "get / HTTP/1.1\r\nHost: a\r\n\r\n", 501),
                Arguments.of("CTL in target", "GET /\u0001 HTTP/1.1\r\nHost: a\r\n\r\n", 400),
                Arguments.of("relative target", "GET index.html HTTP/1.1\r\nHost: a\r\n\r\n", 400),
                Arguments.of("CONNECT authority", "CONNECT a:80 HTTP/1.1\r\nHost: a\r\n\r\n", 400),
                Arguments.of("* without OPTIONS", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400),
                Arguments.of("leading empty line", "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
                Arguments.of("bare LF", "GET / HTTP/1.1\nHost: a\n\n", 400),
                Arguments.of("bare CR in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", 400),
                Arguments.of("NUL in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\u0000b\r\n\r\n", 400),
                Arguments.of("CTL in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\u0001b\r\n\r\n", 400),
                Arguments.of("DEL in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\u007fb\r\n\r\n", 400),
                Arguments.of("obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", 400),
                Arguments.of("space before colon", "GET / HTTP/1.1\r\nHost: a\r\nX : b\r\n\r\n", 400),
                Arguments.of("no colon", "GET / HTTP/1.1\r\nHost: a\r\nXb\r\n\r\n", 400),
                Arguments.of("empty name", "GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n", 400),
                Arguments.of("'/' in name", "GET / HTTP/1.1\r\nHost: a\r\nX/A: b\r\n\r\n", 400),
                Arguments.of("missing Host", "GET / HTTP/1.1\r\n\r\n", 400),
                Arguments.of("empty Host", "GET / HTTP/1.1\r\nHost: \r\n\r\n", 400),
                Arguments.of("two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
                Arguments.of("Host with space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
                Arguments.of("Host with slash", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
                Arguments.of("Host with underscore", "GET / HTTP/1.1\r\nHost: a_b\r\n\r\n", 400),
                Arguments.of("Host bad port", "GET / HTTP/1.1\r\nHost: a:8x\r\n\r\n", 400),
                Arguments.of("absolute target vs Host", "GET http://b/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
                Arguments.of("CL and TE", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n", 400),
                Arguments.of("two CL differing", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
                        + "Content-Length: 4\r\n\r\n", 400),
                Arguments.of("two CL equal", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
                        + "Content-Length: 3\r\n\r\n", 400),
                Arguments.of("CL not a number", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3x\r\n\r\n", 400),
                Arguments.of("CL negative", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -3\r\n\r\n", 400),
                Arguments.of("TE gzip", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
                Arguments.of("TE gzip, chunked", "POST / HTTP/1.1\r\nHost: a\r\n"
                        + "Transfer-Encoding: gzip, chunked\r\n\r\n", 501),
                Arguments.of("TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
                Arguments.of("Upgrade in HTTP/1.0", "GET / HTTP/1.0\r\nUpgrade: websocket\r\n"
                        + "Connection: upgrade\r\n\r\n", 400),
                Arguments.of("HTTP2-Settings in HTTP/1.0", "GET / HTTP/1.0\r\nHTTP2-Settings: x\r\n\r\n", 400),
                Arguments.of("GET with body", "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc", 400),
                Arguments.of("HEAD chunked", "HEAD / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
                Arguments.of("POST without length", "POST / HTTP/1.1\r\nHost: a\r\n\r\n", 411),
                Arguments.of("Expect other", "GET / HTTP/1.1\r\nHost: a\r\nExpect: foo\r\n\r\n", 417),
                Arguments.of("head block too large", "GET / HTTP/1.1\r\nHost: a\r\nX: " + big + "\r\n\r\n", 431),
                Arguments.of("request line too large", "GET /" + big + " HTTP/1.1\r\nHost: a\r\n\r\n", 431),
                Arguments.of("bad chunk size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "zz\r\nabc\r\n0\r\n\r\n", 400),
                Arguments.of("chunk without CRLF", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "3\r\nabcX\r\n0\r\n\r\n", 400));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("refused")
    void refusesWithLighttpdStatus(String name, String raw, int status) {
        for (boolean oneByte : new boolean[] {false, true}) {
            List<Object> events = parse(raw, oneByte);
            assertThat(events).as("%s (byte by byte: %s)", name, oneByte).isNotEmpty();
            Object last = events.getLast();
            assertThat(last).as(name).isInstanceOf(Http1RequestParser.Refused.class);
            assertThat(((Http1RequestParser.Refused) last).status()).as(name).isEqualTo(status);
        }
    }

    @Test
    void refusesOversizedHeadBeforeItEnds() {
        // 431 must come without waiting for the blank line: the client may never send it.
        List<Object> events = parse("GET / HTTP/1.1\r\nX: " + "a".repeat(9000), false);
        assertThat(events).singleElement().isInstanceOfSatisfying(Http1RequestParser.Refused.class,
                r -> assertThat(r.status()).isEqualTo(431));
    }

    @Test
    void headLimitCountsTheWholeBlock() {
        String head = "GET / HTTP/1.1\r\nHost: a\r\nX: " + "a".repeat(100) + "\r\n\r\n";
        assertThat(parse(head, false, head.length()).getFirst()).isInstanceOf(Http1RequestParser.Head.class);
        assertThat(parse(head, false, head.length() - 1).getFirst()).isInstanceOf(Http1RequestParser.Refused.class);
    }

    @Test
    void pipelinedRequestsWithBodies() {
        String raw = "GET /a HTTP/1.1\r\nHost: a\r\n\r\n"
                + "POST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
                + "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3;ext=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nX-Trailer: yes\r\nX-Two: 2\r\n\r\n"
                + "HEAD /d HTTP/1.0\r\n\r\n";
        for (boolean oneByte : new boolean[] {false, true}) {
            List<Object> events = parse(raw, oneByte);
            List<String> heads = events.stream().filter(e -> e instanceof Http1RequestParser.Head)
                    .map(e -> ((Http1RequestParser.Head) e).method() + " " + ((Http1RequestParser.Head) e).target())
                    .toList();
            assertThat(heads).containsExactly("GET /a", "POST /b", "POST /c", "HEAD /d");
            String body = events.stream().filter(e -> e instanceof String).map(String.class::cast)
                    .map(s -> s.substring(5)).reduce("", String::concat);
            assertThat(body).isEqualTo("hello" + "abc0123456789abcdef");
            List<Http1RequestParser.BodyEnd> ends = events.stream()
                    .filter(e -> e instanceof Http1RequestParser.BodyEnd).map(Http1RequestParser.BodyEnd.class::cast)
                    .toList();
            assertThat(ends).hasSize(2);
            assertThat(ends.get(1).trailers().get("X-Trailer")).isEqualTo("yes");
            assertThat(ends.get(1).trailers().get("X-Two")).isEqualTo("2");
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "Example.ORG.|example.org", "example.org.:8080|example.org:8080", "example.org|example.org",
            "[::1]:80|[::1]:80", "127.0.0.1.|127.0.0.1"})
    void theHostIsNormalisedAsLighttpdDoesWithATrailingDotDropped(String host, String authority) {
        // lighttpd's host-normalize: $HTTP["host"] == "example.org" matches "example.org." there too
        List<Object> events = parse("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n", false);
        assertThat(((Http1RequestParser.Head) events.getFirst()).authority()).isEqualTo(authority);
    }

    @Test
    void headFields() {
        List<Object> events = parse("POST http://Example.COM:8080/x?y HTTP/1.1\r\nContent-Length: 0\r\n"
                + "X-Tab:\t a\tb \t\r\nExpect: 100-continue\r\n\r\n", false);
        Http1RequestParser.Head h = (Http1RequestParser.Head) events.getFirst();
        assertThat(h.protocol()).isEqualTo(Request.Protocol.HTTP_1_1);
        assertThat(h.authority()).isEqualTo("example.com:8080");
        assertThat(h.headers().get("x-tab")).isEqualTo("a\tb");
        assertThat(h.contentLength()).isZero();
        assertThat(h.expectContinue()).as("no body: nothing to continue").isFalse();
        assertThat(h.hasBody()).isFalse();
    }

    @Test
    void expectContinueWithBody() {
        Http1RequestParser.Head h = (Http1RequestParser.Head) parse("PUT /x HTTP/1.1\r\nHost: a\r\n"
                + "Content-Length: 3\r\nExpect: 100-Continue\r\n\r\n", false).getFirst();
        assertThat(h.expectContinue()).isTrue();
    }

    @Test
    void upgradeRules() {
        Http1RequestParser.Head noConnection = (Http1RequestParser.Head) parse(
                "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n", false).getFirst();
        assertThat(noConnection.headers().contains("Upgrade")).isFalse();
        Http1RequestParser.Head kept = (Http1RequestParser.Head) parse(
                "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: close\r\n\r\n", false).getFirst();
        assertThat(kept.headers().get("Upgrade")).isEqualTo("websocket");
        assertThat(kept.headers().get("Connection")).isEqualTo("close");
        Http1RequestParser.Head h2c = (Http1RequestParser.Head) parse("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: h2c\r\n"
                + "Connection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n", false)
                .getFirst();
        assertThat(h2c.headers().contains("Upgrade")).isFalse();
        assertThat(h2c.headers().contains("HTTP2-Settings")).isFalse();
    }

    @Test
    void getBodyAllowedByParseOption() {
        Http1RequestParser parser = new Http1RequestParser(8192, true);
        ByteBuf in = Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx",
                StandardCharsets.ISO_8859_1);
        try {
            assertThat(parser.next(in)).isInstanceOf(Http1RequestParser.Head.class);
            Http1RequestParser.Event body = parser.next(in);
            assertThat(body).isInstanceOf(Http1RequestParser.BodyData.class);
            ((Http1RequestParser.BodyData) body).data().release();
            assertThat(parser.next(in)).isInstanceOf(Http1RequestParser.BodyEnd.class);
        } finally {
            in.release();
        }
    }

    @Test
    void hostNames() {
        assertThat(HostName.isValid("example.com")).isTrue();
        assertThat(HostName.isValid("a.")).isTrue();
        assertThat(HostName.isValid("A.B:80")).isTrue();
        assertThat(HostName.isValid("[::1]:8080")).isTrue();
        assertThat(HostName.isValid("127.0.0.1")).isTrue();
        assertThat(HostName.isValid("a..b")).isFalse();
        assertThat(HostName.isValid("a:")).isFalse();
        assertThat(HostName.isValid("a:70000")).isFalse();
        assertThat(HostName.isValid("[::1")).isFalse();
        assertThat(HostName.isValid("[zz]")).isFalse();
    }
}
