package io.lightgate.modules.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.RawHttp;
import io.lightgate.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** mod_proxy upgrades end to end: a real server, a scripted real backend, raw clients. */
@ExtendWith(LeakGuard.class)
class ProxyUpgradeTest {

    static String config(int port, String extra) {
        return "server.modules = (\"mod_proxy\")\n"
                + "proxy.server = ( \"/\" => ( ( \"host\" => \"127.0.0.1\", \"port\" => " + port + " ) ) )\n"
                + extra;
    }

    static final String UPGRADE_REQUEST = "GET /proxyup/x?y=1 HTTP/1.1\r\nHost: example.org\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            + "Origin: http://example.org\r\nSec-WebSocket-Protocol: chat\r\n\r\n";

    /** Answers 101 plus {@code after} in the same write, then echoes. */
    static ProxyBackend switchingEcho(String extraHead, String after) throws Exception {
        return new ProxyBackend(c -> {
            if (c.readHead() == null) {
                return;
            }
            c.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" + extraHead + "\r\n" + after);
            byte[] buf = new byte[8192];
            int n;
            while ((n = c.in.read(buf)) > 0) {
                c.out.write(buf, 0, n);
            }
            c.channel.shutdownOutput();
        });
    }

    @Test
    void relays101AndBytesBothWaysWithBackendBytesAfterTheHeadFirst() throws Exception {
        try (ProxyBackend backend = switchingEcho("", "HELLO");
             TestServer s = TestServer.start(config(backend.port(), "proxy.header = ( \"upgrade\" => \"enable\" )\n"));
             RawHttp c = RawHttp.connect(s.port(), Duration.ofSeconds(10))) {
            c.send(UPGRADE_REQUEST);
            RawHttp.Response r = c.readResponse(true);
            assertThat(r.status()).isEqualTo(101);
            assertThat(r.header("Upgrade")).isEqualTo("websocket");
            assertThat(r.header("Connection")).isEqualTo("upgrade");
            assertThat(r.header("Sec-WebSocket-Accept")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
            assertThat(r.header("Content-Length")).isNull();
            c.send("ping-1");
            String got = new String(readN(c, 11), StandardCharsets.ISO_8859_1);
            assertThat(got).isEqualTo("HELLOping-1");

            String head = backend.heads.getFirst();
            assertThat(head).isEqualTo("GET /proxyup/x?y=1 HTTP/1.1\r\nHost: example.org\r\nUpgrade: websocket\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                    + "Origin: http://example.org\r\nSec-WebSocket-Protocol: chat\r\nX-Forwarded-For: 127.0.0.1\r\n"
                    + "X-Host: example.org\r\nX-Forwarded-Host: example.org\r\nX-Forwarded-Proto: http\r\n"
                    + "Connection: close, upgrade\r\n\r\n");
        }
    }

    @Test
    void hostOptionEnablesUpgradeToo() throws Exception {
        try (ProxyBackend backend = switchingEcho("", "");
             TestServer s = TestServer.start("server.modules = (\"mod_proxy\")\nproxy.server = ( \"/\" => ( ( "
                     + "\"host\" => \"127.0.0.1\", \"port\" => " + backend.port() + ", \"upgrade\" => \"enable\" ) ) )\n");
             RawHttp c = RawHttp.connect(s.port(), Duration.ofSeconds(10))) {
            c.send(UPGRADE_REQUEST);
            assertThat(c.readResponse(true).status()).isEqualTo(101);
            c.send("abc");
            assertThat(new String(readN(c, 3), StandardCharsets.ISO_8859_1)).isEqualTo("abc");
        }
    }

    @Test
    void halfCloseFromTheBackendReachesTheClient() throws Exception {
        try (ProxyBackend backend = new ProxyBackend(c -> {
                c.readHead();
                c.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x-raw\r\nConnection: upgrade\r\n\r\nbye");
                c.channel.shutdownOutput();
                c.in.readAllBytes(); // until the proxy closes its side
            });
             TestServer s = TestServer.start(config(backend.port(),
                     "proxy.header = ( \"upgrade\" => \"enable\" )\n"));
             RawHttp c = RawHttp.connect(s.port(), Duration.ofSeconds(10))) {
            c.send("GET /raw HTTP/1.1\r\nHost: x\r\nUpgrade: x-raw\r\nConnection: upgrade\r\n\r\n");
            RawHttp.Response r = c.readResponse(true);
            assertThat(r.status()).isEqualTo(101);
            assertThat(r.header("Upgrade")).isEqualTo("x-raw");
            assertThat(c.readUntilClosed()).isEqualTo("bye");
        }
    }

    @Test
    void upgradeDisabledNeverShowsUpgradeToTheBackendAndRelaysItsAnswer() throws Exception {
        try (ProxyBackend backend = new ProxyBackend(c -> {
                c.readHead();
                c.write("HTTP/1.1 204 No Content\r\nUpgrade: websocket\r\nX-Backend: yes\r\n\r\n");
            });
             TestServer s = TestServer.start(config(backend.port(), ""));
             RawHttp c = RawHttp.connect(s.port(), Duration.ofSeconds(10))) {
            c.send(UPGRADE_REQUEST);
            RawHttp.Response r = c.readResponse(true);
            assertThat(r.status()).isEqualTo(204);
            assertThat(r.header("X-Backend")).isEqualTo("yes");
            assertThat(r.header("Upgrade")).as("Upgrade only on a 101").isNull();
            String head = backend.heads.getFirst();
            assertThat(head).doesNotContainIgnoringCase("upgrade: ");
            assertThat(head).endsWith("Connection: close\r\n\r\n");
        }
    }

    @Test
    void nonSwitchingAnswerToAnUpgradeIsAnOrdinaryResponse() throws Exception {
        try (ProxyBackend backend = new ProxyBackend(c -> {
                c.readHead();
                c.write("HTTP/1.1 304 Not Modified\r\nUpgrade: websocket\r\nETag: \"x\"\r\n\r\n");
            });
             TestServer s = TestServer.start(config(backend.port(), "proxy.header = ( \"upgrade\" => \"enable\" )\n"));
             RawHttp c = RawHttp.connect(s.port(), Duration.ofSeconds(10))) {
            c.send(UPGRADE_REQUEST);
            RawHttp.Response r = c.readResponse(true);
            assertThat(r.status()).isEqualTo(304);
            assertThat(r.header("ETag")).isEqualTo("\"x\"");
            assertThat(r.header("Upgrade")).isNull();
        }
    }

    @Test
    void switchingWithContentLengthIsTolerated() throws Exception {
        try (ProxyBackend backend = switchingEcho("Content-Length: 0\r\n", "");
             TestServer s = TestServer.start(config(backend.port(), "proxy.header = ( \"upgrade\" => \"enable\" )\n"));
             RawHttp c = RawHttp.connect(s.port(), Duration.ofSeconds(10))) {
            c.send(UPGRADE_REQUEST);
            RawHttp.Response r = c.readResponse(true);
            assertThat(r.status()).isEqualTo(101);
            assertThat(r.header("Content-Length")).isNull();
            c.send("after");
            assertThat(new String(readN(c, 5), StandardCharsets.ISO_8859_1)).isEqualTo("after");
        }
    }

    @Test
    void switchingToARequestWithoutUpgradeIsABadGateway() throws Exception {
        try (ProxyBackend backend = switchingEcho("", "");
             TestServer s = TestServer.start(config(backend.port(), ""))) {
            String raw = RawHttp.exchange(s.port(), "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                    Duration.ofSeconds(10));
            assertThat(RawHttp.parse(raw).status()).isEqualTo(502);
        }
    }

    @Test
    void connectEnabledTunnelsToTheConfiguredBackend() throws Exception {
        try (ProxyBackend backend = new ProxyBackend(c -> {
                c.write("banner\n");
                byte[] buf = new byte[8192];
                int n;
                while ((n = c.in.read(buf)) > 0) {
                    c.out.write(buf, 0, n);
                }
            });
             TestServer s = TestServer.start(config(backend.port(), "proxy.header = ( \"connect\" => \"enable\" )\n"));
             RawHttp c = RawHttp.connect(s.port(), Duration.ofSeconds(10))) {
            c.send("CONNECT elsewhere.example:443 HTTP/1.1\r\nHost: elsewhere.example:443\r\n\r\n");
            RawHttp.Response r = c.readResponse(true);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Connection")).isNull();
            assertThat(r.header("Content-Length")).isNull();
            assertThat(r.header("Transfer-Encoding")).isNull();
            assertThat(new String(readN(c, 7), StandardCharsets.ISO_8859_1)).isEqualTo("banner\n");
            c.send("raw bytes");
            assertThat(new String(readN(c, 9), StandardCharsets.ISO_8859_1)).isEqualTo("raw bytes");
            assertThat(backend.heads).as("no request is sent to the backend").isEmpty();
        }
    }

    @Test
    void connectDisabledIs405AndTheBackendIsNotContacted() throws Exception {
        try (ProxyBackend backend = new ProxyBackend(c -> c.readHead());
             TestServer s = TestServer.start(config(backend.port(), "proxy.header = ( \"upgrade\" => \"enable\" )\n"))) {
            String raw = RawHttp.exchange(s.port(), "CONNECT elsewhere.example:443 HTTP/1.1\r\nHost: elsewhere.example:443\r\n\r\n",
                    Duration.ofSeconds(10));
            assertThat(RawHttp.parse(raw).status()).isEqualTo(405);
            assertThat(backend.connections.get()).isZero();
        }
    }

    @Test
    void unixSocketBackendsWorkForPlainAnswersAndUpgrades(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path sock = dir.resolve("backend.sock");
        try (ProxyBackend backend = ProxyBackend.unix(sock, c -> {
                String head = c.readHead();
                if (head.contains("Upgrade: ")) {
                    c.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x-raw\r\n\r\n");
                    c.write(new String(c.readBytes(4), StandardCharsets.ISO_8859_1));
                } else {
                    c.write("HTTP/1.1 204 No Content\r\nX-Via: unix\r\n\r\n");
                }
            });
             TestServer s = TestServer.start("server.modules = (\"mod_proxy\")\nproxy.header = ( \"upgrade\" => 1 )\n"
                     + "proxy.server = ( \"/\" => ( ( \"socket\" => \"" + sock + "\" ) ) )\n");
             RawHttp c = RawHttp.connect(s.port(), Duration.ofSeconds(10))) {
            c.send("GET /plain HTTP/1.1\r\nHost: h\r\n\r\n");
            RawHttp.Response plain = c.readResponse(false);
            assertThat(plain.status()).isEqualTo(204);
            assertThat(plain.header("X-Via")).isEqualTo("unix");
            assertThat(backend.heads.getFirst()).contains("X-Forwarded-For: 127.0.0.1\r\n");
            c.send("GET /raw HTTP/1.1\r\nHost: h\r\nUpgrade: x-raw\r\nConnection: upgrade\r\n\r\n");
            assertThat(c.readResponse(true).status()).isEqualTo(101);
            c.send("echo");
            assertThat(new String(readN(c, 4), StandardCharsets.ISO_8859_1)).isEqualTo("echo");
        }
    }

    static byte[] readN(RawHttp c, int n) throws Exception {
        return c.readBytes(n);
    }
}
