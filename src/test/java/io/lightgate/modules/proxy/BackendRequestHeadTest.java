package io.lightgate.modules.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.http.Request;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class BackendRequestHeadTest {

    private static Request request(String method, String target, Request.Protocol protocol, String host, String scheme,
                                   String remoteIp, long contentLength, String... headerPairs) {
        HttpHeaders h = DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders();
        for (int i = 0; i < headerPairs.length; i += 2) {
            h.add(headerPairs[i], headerPairs[i + 1]);
        }
        return new Request(method, target, protocol, h, target, "", host, scheme,
                new InetSocketAddress(remoteIp, 40000), new InetSocketAddress("127.0.0.1", 8080), "127.0.0.1:8080",
                contentLength);
    }

    private static String build(Request r, String host, boolean http10, boolean upgrade, boolean keepAlive,
                                ForwardedParams fwd) {
        return BackendRequestHead.build(new BackendRequestHead.Inputs(r, io.lightgate.http.RequestTarget.originForm(r.target()), host,
                http10, upgrade, keepAlive, fwd));
    }

    @Test
    void hopByHopProxyAndSetCookieNeverPass() {
        Request r = request("GET", "/a?b=1", Request.Protocol.HTTP_1_1, "example.org", "http", "10.0.0.7", -1,
                "Host", "example.org", "Connection", "keep-alive, X-Private, TE", "X-Private", "secret",
                "Keep-Alive", "timeout=5", "Proxy-Connection", "keep-alive", "Proxy", "http://evil:1/",
                "TE", "trailers", "Set-Cookie", "a=b", "Accept", "*/*", "Upgrade", "websocket",
                "Transfer-Encoding", "chunked", "X-Host", "spoofed", "X-Forwarded-Proto", "https");
        assertThat(build(r, "example.org", false, false, false, ForwardedParams.NONE)).isEqualTo(
                "GET /a?b=1 HTTP/1.1\r\nHost: example.org\r\nTE: trailers\r\nAccept: */*\r\n"
                        + "X-Forwarded-For: 10.0.0.7\r\nX-Host: example.org\r\nX-Forwarded-Host: example.org\r\n"
                        + "X-Forwarded-Proto: http\r\nConnection: close, te\r\n\r\n");
    }

    @Test
    void aChunkedBodyIsFramedChunkedUntilItsLengthIsKnown() {
        Request r = request("PUT", "/u", Request.Protocol.HTTP_1_1, "h", "http", "1.2.3.4", -2,
                "Host", "h", "Transfer-Encoding", "chunked");
        String streamed = BackendRequestHead.build(new BackendRequestHead.Inputs(r, "/u", "h", false, false, false,
                ForwardedParams.NONE));
        assertThat(streamed).contains("Transfer-Encoding: chunked\r\n").doesNotContain("Content-Length");
        // spooled whole (force-http10): the length it turned out to have
        String spooled = BackendRequestHead.build(new BackendRequestHead.Inputs(r, "/u", "h", true, false, false,
                ForwardedParams.NONE, 12345));
        assertThat(spooled).startsWith("PUT /u HTTP/1.0\r\n").contains("Content-Length: 12345\r\n")
                .doesNotContain("Transfer-Encoding");
    }

    @Test
    void teOtherThanTrailersIsDropped() {
        Request r = request("GET", "/", Request.Protocol.HTTP_1_1, "h", "http", "1.2.3.4", -1,
                "Host", "h", "TE", "gzip, trailers");
        assertThat(build(r, "h", false, false, false, ForwardedParams.NONE))
                .doesNotContain("TE:").endsWith("Connection: close\r\n\r\n");
    }

    @Test
    void xForwardedForIsAppendedToAndForwardedSeededFromIt() {
        Request r = request("POST", "/p", Request.Protocol.HTTP_1_1, "h.example", "https", "2001:db8::1", 12,
                "Host", "h.example", "X-Forwarded-For", "192.0.2.1", "Content-Length", "12");
        String head = build(r, "h.example", false, false, false, new ForwardedParams(true, true, true, true, false));
        assertThat(head).isEqualTo("POST /p HTTP/1.1\r\nHost: h.example\r\nX-Forwarded-For: 192.0.2.1, 2001:db8::1\r\n"
                + "Content-Length: 12\r\nX-Host: h.example\r\nX-Forwarded-Host: h.example\r\nX-Forwarded-Proto: https\r\n"
                + "Forwarded: for=\"192.0.2.1\", for=\"[2001:db8::1]\";by=\"127.0.0.1:8080\";proto=https;host=\"h.example\"\r\n"
                + "Connection: close\r\n\r\n");
    }

    @Test
    void existingForwardedIsExtended() {
        Request r = request("GET", "/", Request.Protocol.HTTP_1_1, "h", "http", "10.1.1.1", -1,
                "Host", "h", "Forwarded", "for=192.0.2.9");
        assertThat(build(r, "h", false, false, false, new ForwardedParams(true, false, false, false, false)))
                .contains("Forwarded: for=192.0.2.9, for=10.1.1.1\r\n");
        assertThat(build(r, "h", false, false, false, ForwardedParams.NONE))
                .as("without proxy.forwarded the client's Forwarded passes untouched")
                .contains("Forwarded: for=192.0.2.9\r\n");
    }

    @Test
    void forceHttp10AndChunkedAndKeepAlive() {
        Request r = request("PUT", "/u", Request.Protocol.HTTP_1_1, "h", "http", "10.0.0.1", -2,
                "Host", "h", "Transfer-Encoding", "chunked");
        assertThat(build(r, "h", false, false, true, ForwardedParams.NONE))
                .startsWith("PUT /u HTTP/1.1\r\n").contains("Transfer-Encoding: chunked\r\n")
                .endsWith("Connection: keep-alive\r\n\r\n");
        Request g = request("GET", "/u", Request.Protocol.HTTP_1_1, "h", "http", "10.0.0.1", -1, "Host", "h");
        assertThat(build(g, "h", true, false, true, ForwardedParams.NONE))
                .startsWith("GET /u HTTP/1.0\r\n").endsWith("Connection: close\r\n\r\n");
        assertThat(build(g, null, false, false, false, ForwardedParams.NONE))
                .as("no Host: HTTP/1.0 and no Host line").startsWith("GET /u HTTP/1.0\r\nX-Forwarded-For");
    }

    @Test
    void upgradeKeepsUpgradeAndSaysSo() {
        Request r = request("GET", "/ws", Request.Protocol.HTTP_1_1, "h", "http", "10.0.0.1", -1,
                "Host", "h", "Connection", "Upgrade", "Upgrade", "websocket");
        assertThat(build(r, "h", true, true, false, ForwardedParams.NONE))
                .startsWith("GET /ws HTTP/1.1\r\n").contains("Upgrade: websocket\r\n")
                .endsWith("Connection: close, upgrade\r\n\r\n");
    }

    @Test
    void absoluteFormBecomesOriginForm() {
        assertThat(io.lightgate.http.RequestTarget.originForm("http://h:1/a/b?c")).isEqualTo("/a/b?c");
        assertThat(io.lightgate.http.RequestTarget.originForm("http://h?c")).isEqualTo("/?c");
        assertThat(io.lightgate.http.RequestTarget.originForm("http://h")).isEqualTo("/");
        assertThat(io.lightgate.http.RequestTarget.originForm("/x")).isEqualTo("/x");
    }

    @Test
    void quotingFollowsRfc7239() {
        assertThat(BackendRequestHead.quote("10.0.0.1")).isEqualTo("10.0.0.1");
        assertThat(BackendRequestHead.quote("[::1]")).isEqualTo("\"[::1]\"");
        assertThat(BackendRequestHead.quote("a\"b")).isEqualTo("\"a\\\"b\"");
    }
}
