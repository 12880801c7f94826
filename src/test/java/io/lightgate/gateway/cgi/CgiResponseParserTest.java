package io.lightgate.gateway.cgi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lightgate.gateway.cgi.CgiResponseParser.Progress;
import io.lightgate.testing.LeakGuard;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(LeakGuard.class)
class CgiResponseParserTest {

    /** Parses whole and byte by byte; both must agree. */
    private static CgiParserProbe both(String input) {
        CgiParserProbe whole = CgiParserProbe.run(input, Math.max(1, input.length()));
        CgiParserProbe bytewise = CgiParserProbe.run(input, 1);
        assertThat(bytewise.progress()).isEqualTo(whole.progress());
        assertThat(bytewise.leftover()).isEqualTo(whole.leftover());
        assertThat(bytewise.head() == null).isEqualTo(whole.head() == null);
        if (whole.head() != null) {
            assertThat(bytewise.head().status()).isEqualTo(whole.head().status());
            assertThat(headerLines(bytewise.head())).isEqualTo(headerLines(whole.head()));
            assertThat(bytewise.head().upgrade()).isEqualTo(whole.head().upgrade());
        }
        return whole;
    }

    private static List<String> headerLines(CgiResponseHead head) {
        List<String> out = new ArrayList<>();
        head.headers().forEach(e -> out.add(e.getKey() + ": " + e.getValue()));
        return out;
    }

    @Test
    void plainHeadersWithLfOnly() {
        CgiParserProbe p = both("Content-Type: text/plain\nX-A:  b \n\nhello\n");
        assertThat(p.progress()).isEqualTo(Progress.HEAD);
        assertThat(p.head().status()).isEqualTo(200);
        assertThat(p.head().explicitStatus()).isFalse();
        assertThat(p.head().headerBlock()).isTrue();
        assertThat(headerLines(p.head())).containsExactly("Content-Type: text/plain", "X-A: b");
        assertThat(p.leftover()).isEqualTo("hello\n");
    }

    @Test
    void crlfAndMixedLineEnds() {
        CgiParserProbe p = both("Status: 404 Not Here\r\nX-A: 1\n\r\nbody");
        assertThat(p.head().status()).isEqualTo(404);
        assertThat(p.head().reason()).isEqualTo("Not Here");
        assertThat(p.head().explicitStatus()).isTrue();
        assertThat(headerLines(p.head())).containsExactly("X-A: 1");
        assertThat(p.leftover()).isEqualTo("body");
    }

    @Test
    void statusWithoutReason() {
        CgiParserProbe p = both("Status: 204\n\n");
        assertThat(p.head().status()).isEqualTo(204);
        assertThat(p.head().reason()).isNull();
        assertThat(p.leftover()).isEmpty();
    }

    @Test
    void locationWithoutStatusIs302AndWithStatusKeepsIt() {
        CgiParserProbe redirect = both("Location: /elsewhere?x\n\n");
        assertThat(redirect.head().status()).isEqualTo(302);
        assertThat(redirect.head().location()).isEqualTo("/elsewhere?x");
        assertThat(redirect.head().explicitStatus()).isFalse();
        CgiParserProbe moved = both("Location: http://a/b\nStatus: 301 Moved\n\n");
        assertThat(moved.head().status()).isEqualTo(301);
        assertThat(moved.head().location()).isEqualTo("http://a/b");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "Status: 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: x\r\n\r\n\u0081\u0002hi",
            "Upgrade: websocket\r\nSec-WebSocket-Accept: x\r\nStatus: 101 Switching Protocols\r\n\r\n\u0081\u0002hi"})
    void upgradeWithStatusAndUpgradeInEitherOrder(String output) {
        CgiParserProbe p = both(output);
        assertThat(p.head().status()).isEqualTo(101);
        assertThat(p.head().upgrade()).isTrue();
        assertThat(p.head().headers().get("Upgrade")).isEqualTo("websocket");
        assertThat(p.head().headers().contains("Status")).isFalse();
        assertThat(p.leftover()).isEqualTo("\u0081\u0002hi");
    }

    @Test
    void upgradeHeaderWithoutA101IsDropped() {
        CgiParserProbe p = both("Upgrade: websocket\nContent-Type: text/html\n\nno");
        assertThat(p.head().status()).isEqualTo(200);
        assertThat(p.head().upgrade()).isFalse();
        assertThat(headerLines(p.head())).containsExactly("Content-Type: text/html");
    }

    @Test
    void nphStatusLineThenHeaders() {
        CgiParserProbe p = both("HTTP/1.1 201 Created\r\nX-N: 1\r\n\r\nmade");
        assertThat(p.head().nph()).isTrue();
        assertThat(p.head().status()).isEqualTo(201);
        assertThat(p.head().reason()).isEqualTo("Created");
        assertThat(headerLines(p.head())).containsExactly("X-N: 1");
        assertThat(p.leftover()).isEqualTo("made");
        CgiParserProbe upgrade = both("HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\n\nraw");
        assertThat(upgrade.head().upgrade()).isTrue();
        assertThat(upgrade.leftover()).isEqualTo("raw");
    }

    @Test
    void interimHeadsAreSkipped() {
        CgiParserProbe p = both("Status: 103 Early Hints\nLink: </a>\n\nStatus: 200 OK\nX: y\n\nbody");
        assertThat(p.head().status()).isEqualTo(200);
        assertThat(headerLines(p.head())).containsExactly("X: y");
        assertThat(p.leftover()).isEqualTo("body");
        CgiParserProbe nph = both("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\nok");
        assertThat(nph.head().status()).isEqualTo(200);
        assertThat(nph.head().nph()).isTrue();
        assertThat(nph.leftover()).isEqualTo("ok");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Hello, world\n", "<html><body>x</body></html>", "plain", "HTT", "a b: c\n\n", ":x\n\n",
            "\rabc", "{\"json\": 1}\n"})
    void outputWithoutAHeaderBlockIsAll200Body(String output) {
        CgiParserProbe p = both(output);
        assertThat(p.progress()).isEqualTo(Progress.HEAD);
        assertThat(p.head().status()).isEqualTo(200);
        assertThat(p.head().headerBlock()).isFalse();
        assertThat(p.head().headers().isEmpty()).isTrue();
        assertThat(p.leftover()).isEqualTo(output);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\nbody", "\r\nbody"})
    void emptyHeadIs200WithBody(String output) {
        CgiParserProbe p = both(output);
        assertThat(p.head().status()).isEqualTo(200);
        assertThat(p.head().headerBlock()).isTrue();
        assertThat(p.leftover()).isEqualTo("body");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "Status: 99\n\n", "Status: 600 Too Big\n\n", "Status: 2000\n\n", "Status: abc\n\n", "Status: 20\n\n",
            "Status: 200\nStatus: 200\n\n", "HTTP/1.1 200 OK\nStatus: 201\n\n",
            "X-A: 1\nBad Name: 2\n\n", "X-A: 1\n: empty\n\n", "X-A: 1\n folded\n\n", "X-A: b\u0001c\n\n",
            "X-A: b\rc\n\n", "X-A: b\r\r\n\n", "X-A: 1\nnocolon\n\n", "Content-Length: 1x\n\n",
            "Content-Length: 1\nContent-Length: 1\n\n", "Status: 101 Switching\n\n",
            "HTTP/2 200 OK\n\n", "HTTP/1.1 2000 OK\n\n", "HTTP/1.1 200OK\n\n", "HTTP/1.2 200 OK\n\n",
            "HTTP/1.1 200 O\u0001K\n\n", "HTTP/1.1 101 Switching\n\n",
            "X-A: 1\n", "X-A: 1\nX-B", "HTTP/1.1 200 OK\r\n"})
    void malformedOutput(String output) {
        CgiParserProbe p = both(output);
        assertThat(p.progress()).isEqualTo(Progress.MALFORMED);
        assertThat(p.malformed()).isNotBlank();
        assertThat(p.progressAfterEnd()).isEqualTo(Progress.MALFORMED.ordinal());
    }

    @Test
    void noOutputAtAllIsMalformed() {
        CgiParserProbe p = CgiParserProbe.run("", 1);
        assertThat(p.progress()).isEqualTo(Progress.MALFORMED);
        assertThat(p.malformed()).contains("without output");
    }

    @Test
    void incompleteHeadWaitsForMore() {
        CgiParserProbe p = CgiParserProbe.run("X-A: 1\nX-B: 2\n".getBytes(StandardCharsets.ISO_8859_1), 3, false);
        assertThat(p.progress()).isEqualTo(Progress.NEED_MORE);
    }

    @Test
    void headOverTheLimitIsMalformedButJustUnderIsFine() {
        String name = "X-Long: ";
        String under = name + "v".repeat(CgiResponseParser.MAX_HEAD_BYTES - name.length() - 2) + "\n\n";
        assertThat(under.length()).isEqualTo(CgiResponseParser.MAX_HEAD_BYTES);
        CgiParserProbe ok = CgiParserProbe.run(under, 4096);
        assertThat(ok.progress()).isEqualTo(Progress.HEAD);
        String over = name + "v".repeat(CgiResponseParser.MAX_HEAD_BYTES - name.length() - 1) + "\n\n";
        CgiParserProbe big = CgiParserProbe.run(over, 4096);
        assertThat(big.progress()).isEqualTo(Progress.MALFORMED);
        assertThat(big.malformed()).contains("larger than");
        // no line end in sight: refused as soon as the limit is passed, without waiting for the end
        CgiParserProbe endless = CgiParserProbe.run(("X-A: " + "v".repeat(70_000)).getBytes(StandardCharsets.ISO_8859_1),
                4096, false);
        assertThat(endless.progress()).isEqualTo(Progress.MALFORMED);
        CgiParserProbe word = CgiParserProbe.run("w".repeat(70_000).getBytes(StandardCharsets.ISO_8859_1), 4096, false);
        assertThat(word.progress()).isEqualTo(Progress.MALFORMED);
    }

    @Test
    void feedingAfterTheHeadIsRefusedAndReleases() {
        CgiResponseParser parser = new CgiResponseParser(ByteBufAllocator.DEFAULT);
        assertThat(parser.feed(Unpooled.copiedBuffer("Status: 200\n\nrest", StandardCharsets.ISO_8859_1)))
                .isEqualTo(Progress.HEAD);
        ByteBuf more = ByteBufAllocator.DEFAULT.buffer(1).writeByte('x');
        assertThatThrownBy(() -> parser.feed(more)).isInstanceOf(IllegalStateException.class);
        assertThat(more.refCnt()).isZero();
        ByteBuf left = parser.takeLeftover();
        assertThat(left.toString(StandardCharsets.ISO_8859_1)).isEqualTo("rest");
        left.release();
        parser.release();
    }

    @Test
    void releaseBeforeTheHeadFreesThePendingBytes() {
        CgiResponseParser parser = new CgiResponseParser(ByteBufAllocator.DEFAULT);
        ByteBuf part = ByteBufAllocator.DEFAULT.buffer().writeBytes("X-A: 1\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(parser.feed(part)).isEqualTo(Progress.NEED_MORE);
        parser.release();
        assertThat(part.refCnt()).isZero();
        ByteBuf late = ByteBufAllocator.DEFAULT.buffer(1).writeByte('\n');
        assertThat(parser.feed(late)).isEqualTo(Progress.MALFORMED);
        assertThat(late.refCnt()).isZero();
    }
}
