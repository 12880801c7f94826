package io.lightgate.modules.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.RawHttp;
import io.lightgate.testing.TestServer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Backend failures before the response head: lighttpd's statuses, never a hang, nothing leaked. */
@ExtendWith(LeakGuard.class)
class ProxyFailureTest {
    private static final String GET = "GET /x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";

    private static int status(TestServer s, String request) throws Exception {
        String raw = RawHttp.exchange(s.port(), request, Duration.ofSeconds(20));
        return RawHttp.parse(raw).status();
    }

    private static int freePort() throws Exception {
        try (ServerSocket ss = new ServerSocket()) {
            ss.bind(new InetSocketAddress("127.0.0.1", 0));
            return ss.getLocalPort();
        }
    }

    @Test
    void connectRefusedIs503AndThenTheHostIsDown() throws Exception {
        try (TestServer s = TestServer.start(ProxyUpgradeTest.config(freePort(), ""))) {
            assertThat(status(s, GET)).isEqualTo(503);
            assertThat(status(s, GET)).as("disabled host: all handlers down").isEqualTo(503);
            assertThat(s.errorLines("mod_proxy")).anyMatch(l -> l.contains("are down") || l.contains("connect to"));
        }
    }

    @Test
    void readTimeoutBeforeTheHeadIs504() throws Exception {
        try (ProxyBackend backend = new ProxyBackend(c -> {
                c.readHead();
                Thread.sleep(6000); // says nothing
            });
             TestServer s = TestServer.start("server.modules = (\"mod_proxy\")\nproxy.server = ( \"/\" => ( ( "
                     + "\"host\" => \"127.0.0.1\", \"port\" => " + backend.port() + ", \"read-timeout\" => 1 ) ) )\n")) {
            assertThat(status(s, GET)).isEqualTo(504);
            assertThat(s.errorLines("mod_proxy")).anyMatch(l -> l.contains("read-timeout"));
        }
    }

    @Test
    void backendClosingMidHeadIs502() throws Exception {
        try (ProxyBackend backend = new ProxyBackend(c -> {
                c.readHead();
                c.write("HTTP/1.1 200 OK\r\nContent-Ty");
            });
             TestServer s = TestServer.start(ProxyUpgradeTest.config(backend.port(), ""))) {
            assertThat(status(s, GET)).isEqualTo(502);
        }
    }

    @Test
    void backendClosingWithoutAByteIs500AsLighttpd() throws Exception {
        try (ProxyBackend backend = new ProxyBackend(c -> c.readHead());
             TestServer s = TestServer.start(ProxyUpgradeTest.config(backend.port(), ""))) {
            assertThat(status(s, GET)).isEqualTo(500);
        }
    }

    @Test
    void backendResetBeforeTheHeadIs500() throws Exception {
        try (ProxyBackend backend = new ProxyBackend(c -> {
                c.readHead();
                c.reset();
            });
             TestServer s = TestServer.start(ProxyUpgradeTest.config(backend.port(), ""))) {
            assertThat(status(s, GET)).isEqualTo(500);
        }
    }

    @Test
    void garbageAnswerIs502() throws Exception {
        try (ProxyBackend backend = new ProxyBackend(c -> {
                c.readHead();
                c.write("SSH-2.0-OpenSSH_9.6\r\n\r\n");
            });
             TestServer s = TestServer.start(ProxyUpgradeTest.config(backend.port(), ""))) {
            assertThat(status(s, GET)).isEqualTo(502);
            assertThat(s.errorLines("mod_proxy")).anyMatch(l -> l.contains("invalid status line"));
        }
    }

    @Test
    void clientLeavingBeforeTheAnswerClosesTheBackend() throws Exception {
        java.util.concurrent.CountDownLatch sawEof = new java.util.concurrent.CountDownLatch(1);
        try (ProxyBackend backend = new ProxyBackend(c -> {
                c.readHead();
                if (c.in.read() < 0) { // thinks for ever; the proxy's close ends it
                    sawEof.countDown();
                }
            });
             TestServer s = TestServer.start(ProxyUpgradeTest.config(backend.port(), ""))) {
            try (RawHttp c = RawHttp.connect(s.port(), Duration.ofSeconds(10))) {
                c.send(GET);
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (backend.heads.isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
            }
            assertThat(sawEof.await(5, java.util.concurrent.TimeUnit.SECONDS)).as("backend connection closed").isTrue();
        }
    }

    @Test
    void clientClosingBeforeTheAnswerIsClosedByTheServerToo() throws Exception {
        // wrk ends a run by closing connections with requests in flight: the server must close its side
        // (no connection left in CLOSE-WAIT waiting for an answer the proxy gave up on)
        try (ProxyBackend backend = new ProxyBackend(c -> {
                c.readHead();
                c.in.read(); // thinks until the proxy closes
            });
             TestServer s = TestServer.start(ProxyUpgradeTest.config(backend.port(), ""))) {
            try (java.net.Socket c = new java.net.Socket("127.0.0.1", s.port())) {
                c.setSoTimeout(5000);
                c.getOutputStream().write(GET.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (backend.heads.isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(backend.heads).as("request reached the backend").isNotEmpty();
                c.shutdownOutput();
                assertThat(c.getInputStream().read()).as("server closed its side, sending nothing").isEqualTo(-1);
            }
        }
    }

    @Test
    void smugglingShapesNeverReachTheBackend() throws Exception {
        try (ProxyBackend backend = new ProxyBackend(c -> {
                while (c.readHead() != null) {
                    c.write("HTTP/1.1 204 No Content\r\n\r\n");
                }
            });
             TestServer s = TestServer.start(ProxyUpgradeTest.config(backend.port(), ""))) {
            String[] shapes = {
                    "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                            + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n",
                    "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nContent-Length: 40\r\n\r\n"
                            + "GET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n",
                    "POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                            + "zz\r\nGET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n",
                    "POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                            + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n",
                    "GET /a HTTP/1.1\r\nHost: h\r\nContent-Length : 5\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n",
            };
            for (String shape : shapes) {
                String raw = RawHttp.exchange(s.port(), shape, Duration.ofSeconds(10));
                assertThat(RawHttp.parse(raw).status()).as(shape).isBetween(400, 501);
            }
            Thread.sleep(200);
            assertThat(backend.heads).noneMatch(h -> h.contains("/smuggled"));
        }
    }
}
