package io.lightgate.modules.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.LeakGuard;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(LeakGuard.class)
class BackendResponseParserTest {

    /** Every case is parsed whole and byte by byte: the results must not depend on how reads are cut. */
    private static ParserProbe both(String input) {
        ParserProbe whole = ParserProbe.run(input, Math.max(1, input.length()));
        ParserProbe bytewise = ParserProbe.run(input, 1);
        assertThat(bytewise.bodyText()).isEqualTo(whole.bodyText());
        assertThat(bytewise.heads.size()).isEqualTo(whole.heads.size());
        assertThat(bytewise.ends).isEqualTo(whole.ends);
        assertThat(bytewise.malformed == null).isEqualTo(whole.malformed == null);
        return whole;
    }

    @Test
    void contentLengthBody() {
        ParserProbe p = both("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b \r\n\r\nhello");
        assertThat(p.malformed).isNull();
        BackendResponseHead h = p.heads.getFirst();
        assertThat(h.status()).isEqualTo(200);
        assertThat(h.framing()).isEqualTo(BackendResponseHead.Framing.LENGTH);
        assertThat(h.contentLength()).isEqualTo(5);
        assertThat(h.headers().get("X-A")).isEqualTo("b");
        assertThat(h.keepAlive()).isTrue();
        assertThat(p.bodyText()).isEqualTo("hello");
        assertThat(p.ends).isEqualTo(1);
        assertThat(p.parser.complete()).isTrue();
        assertThat(p.parser.extraBytes()).isFalse();
    }

    @Test
    void chunkedBodyWithExtensionsAndTrailers() {
        ParserProbe p = both("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n");
        assertThat(p.malformed).isNull();
        assertThat(p.heads.getFirst().framing()).isEqualTo(BackendResponseHead.Framing.CHUNKED);
        assertThat(p.bodyText()).isEqualTo("hello world");
        assertThat(p.ends).isEqualTo(1);
    }

    @Test
    void closeDelimitedBodyEndsAtEof() {
        ParserProbe p = both("HTTP/1.0 200 OK\r\n\r\nuntil close");
        assertThat(p.heads.getFirst().framing()).isEqualTo(BackendResponseHead.Framing.UNTIL_CLOSE);
        assertThat(p.heads.getFirst().keepAlive()).isFalse();
        assertThat(p.bodyText()).isEqualTo("until close");
        assertThat(p.ends).isEqualTo(1);
    }

    @Test
    void noBodyForHead204And304() {
        ParserProbe head = ParserProbe.run("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n".getBytes(), 3, true, false);
        assertThat(head.heads.getFirst().framing()).isEqualTo(BackendResponseHead.Framing.NONE);
        assertThat(head.ends).isEqualTo(1);
        assertThat(both("HTTP/1.1 204 No Content\r\n\r\n").heads.getFirst().framing())
                .isEqualTo(BackendResponseHead.Framing.NONE);
        ParserProbe notModified = both("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n");
        assertThat(notModified.heads.getFirst().framing()).isEqualTo(BackendResponseHead.Framing.NONE);
        assertThat(notModified.ends).isEqualTo(1);
    }

    @Test
    void interimResponsesAreSkippedAnd101IsFinalWithItsLeftover() {
        ParserProbe p = ParserProbe.run("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 7);
        assertThat(p.heads).hasSize(1);
        assertThat(p.heads.getFirst().status()).isEqualTo(200);
        assertThat(p.heads.getFirst().headers().contains("Link")).isFalse();
        assertThat(p.bodyText()).isEqualTo("ok");

        byte[] sw = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nContent-Length: 3\r\n\r\n\u0081\u0002hi"
                .getBytes(StandardCharsets.ISO_8859_1);
        for (int step = 1; step <= sw.length; step++) {
            ParserProbe s = ParserProbe.run(sw, step, false, false);
            assertThat(s.heads.getFirst().framing()).isEqualTo(BackendResponseHead.Framing.SWITCH);
            assertThat(s.ends).isZero();
            assertThat(s.leftover()).isEqualTo("\u0081\u0002hi");
        }
    }

    @Test
    void connectionCloseAndHttp10KeepAlive() {
        assertThat(both("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").heads.getFirst().keepAlive())
                .isFalse();
        assertThat(both("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n").heads.getFirst()
                .keepAlive()).isTrue();
        assertThat(both("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").heads.getFirst().keepAlive()).isFalse();
    }

    @Test
    void aBodyThatCameWithItsHeadIsTakenWhole() {
        ParserProbe p = new ParserProbe(false);
        p.wholeBodyLimit = 5;
        p.parser.feed(ParserProbe.ascii("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"));
        assertThat(p.wholeBodies).isEqualTo(1);
        assertThat(p.contentCalls).isZero();
        assertThat(p.bodyText()).isEqualTo("hello");
        assertThat(p.ends).isEqualTo(1);
        assertThat(p.parser.complete()).isTrue();
        assertThat(p.parser.extraBytes()).isFalse();

        // bytes after the body: taken whole all the same, and the connection is marked not reusable
        ParserProbe extra = new ParserProbe(false);
        extra.wholeBodyLimit = 5;
        extra.parser.feed(ParserProbe.ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokX"));
        assertThat(extra.wholeBodies).isEqualTo(1);
        assertThat(extra.bodyText()).isEqualTo("ok");
        assertThat(extra.ends).isEqualTo(1);
        assertThat(extra.parser.extraBytes()).isTrue();
    }

    @Test
    void aBodyNotAllThereOrOverTheLimitArrivesAsContent() {
        ParserProbe partial = new ParserProbe(false);
        partial.wholeBodyLimit = 100;
        partial.parser.feed(ParserProbe.ascii("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel"));
        partial.parser.feed(ParserProbe.ascii("lo"));
        assertThat(partial.wholeBodies).isZero();
        assertThat(partial.bodyText()).isEqualTo("hello");
        assertThat(partial.ends).isEqualTo(1);

        ParserProbe large = new ParserProbe(false);
        large.wholeBodyLimit = 4;
        large.parser.feed(ParserProbe.ascii("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"));
        assertThat(large.wholeBodies).isZero();
        assertThat(large.contentCalls).isEqualTo(1);
        assertThat(large.bodyText()).isEqualTo("hello");
        assertThat(large.ends).isEqualTo(1);

        ParserProbe chunked = new ParserProbe(false);
        chunked.wholeBodyLimit = 100;
        chunked.parser.feed(ParserProbe.ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"));
        assertThat(chunked.wholeBodies).isZero();
        assertThat(chunked.bodyText()).isEqualTo("ok");
        assertThat(chunked.ends).isEqualTo(1);
    }

    @Test
    void bytesAfterACompleteResponseAreNoticed() {
        ParserProbe p = both("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n\r\n");
        assertThat(p.bodyText()).isEqualTo("ok");
        assertThat(p.parser.extraBytes()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n",                          // bare LF
            "HTTP/1.1 200 OK\r\nX: a\nContent-Length: 0\r\n\r\n",                  // bare LF in fields
            "HTTP/1.1 200 OK\r\nX: a\r\n continued\r\nContent-Length: 0\r\n\r\n",  // obs-fold
            "HTTP/1.1 200 OK\r\nBad Name: a\r\n\r\n",                              // space in name
            "HTTP/1.1 200 OK\r\nX : a\r\n\r\n",                                    // space before colon
            "HTTP/1.1 200 OK\r\n: a\r\n\r\n",                                      // empty name
            "HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",  // duplicate
            "HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\nx",                    // list
            "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: +1\r\n\r\nx",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nX: a\u0001b\r\n\r\n",                              // control character
            "HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n",                                  // bare CR
            "HTTP/2 200 OK\r\n\r\n",
            "HTTP/1.1 20 OK\r\n\r\n",
            "HTTP/1.1 2000 OK\r\n\r\n",
            "HTTP/1.1 099 Low\r\n\r\n",
            "HTTP/1.1 600 High\r\n\r\n",
            "http/1.1 200 OK\r\n\r\n",
            "\r\nHTTP/1.1 200 OK\r\n\r\n",
            "garbage\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",         // bad chunk size
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n",   // no CRLF after data
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nab\r\n",      // bare LF after size
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n", // size overflow
    })
    void malformedResponsesAreRefused(String input) {
        ParserProbe p = both(input);
        assertThat(p.malformed).as(input).isNotNull();
        assertThat(p.callsAfterMalformed).isZero();
        assertThat(p.ends).isZero();
    }

    @Test
    void headLargerThanTheLimitIsRefused() {
        String big = "HTTP/1.1 200 OK\r\nX: " + "a".repeat(BackendResponseParser.MAX_HEAD_BYTES) + "\r\n\r\n";
        ParserProbe p = ParserProbe.run(big.getBytes(StandardCharsets.ISO_8859_1), 4096, false, true);
        assertThat(p.malformed).contains("larger than");
        String fits = "HTTP/1.1 200 OK\r\nX: " + "a".repeat(60_000) + "\r\nContent-Length: 0\r\n\r\n";
        assertThat(ParserProbe.run(fits.getBytes(StandardCharsets.ISO_8859_1), 4096, false, true).malformed).isNull();
    }

    @Test
    void truncationsAreReportedAtEof() {
        assertThat(both("").malformed).isEqualTo("backend closed without a response");
        assertThat(both("HTTP/1.1 200 OK\r\nContent-Le").malformed).isEqualTo("backend closed inside the response head");
        ParserProbe shortBody = both("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
        assertThat(shortBody.bodyText()).isEqualTo("abc");
        assertThat(shortBody.malformed).contains("7 bytes before the end");
        ParserProbe noLastChunk = both("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
        assertThat(noLastChunk.bodyText()).isEqualTo("abc");
        assertThat(noLastChunk.malformed).contains("inside the chunked body");
    }

    @Test
    void reasonPhraseMayBeMissing() {
        assertThat(both("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n").malformed).isNull();
        assertThat(both("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n").malformed).isNull();
    }
}
