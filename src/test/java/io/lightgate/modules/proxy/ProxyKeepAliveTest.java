package io.lightgate.modules.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.RawHttp;
import io.lightgate.testing.TestServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** proxy.backend-keep-alive: reuse counted at the backend, and a backend that closes an idle connection. */
@ExtendWith(LeakGuard.class)
class ProxyKeepAliveTest {
    private static final String KEEP = "proxy.backend-keep-alive = \"enable\"\n";

    private static RawHttp.Response get(RawHttp c, String path) throws Exception {
        c.send("GET " + path + " HTTP/1.1\r\nHost: h\r\n\r\n");
        return c.readResponse(false);
    }

    @Test
    void connectionsAreReusedAndSayKeepAlive() throws Exception {
        try (ProxyBackend backend = new ProxyBackend(c -> {
                while (c.readHead() != null) {
                    c.write("HTTP/1.1 204 No Content\r\nX-N: " + c.channel.hashCode() + "\r\n\r\n");
                }
            });
             TestServer s = TestServer.start(ProxyUpgradeTest.config(backend.port(), KEEP));
             RawHttp c = RawHttp.connect(s.port(), Duration.ofSeconds(10))) {
            for (int i = 0; i < 5; i++) {
                assertThat(get(c, "/n" + i).status()).isEqualTo(204);
            }
            assertThat(backend.heads).hasSize(5);
            assertThat(backend.connections.get()).isEqualTo(1);
            assertThat(backend.heads.getFirst()).endsWith("Connection: keep-alive\r\n\r\n");
        }
    }

    @Test
    void withoutTheKeyEveryRequestHasItsOwnConnection() throws Exception {
        try (ProxyBackend backend = new ProxyBackend(c -> {
                while (c.readHead() != null) {
                    c.write("HTTP/1.1 204 No Content\r\n\r\n");
                }
            });
             TestServer s = TestServer.start(ProxyUpgradeTest.config(backend.port(), ""));
             RawHttp c = RawHttp.connect(s.port(), Duration.ofSeconds(10))) {
            for (int i = 0; i < 3; i++) {
                assertThat(get(c, "/n" + i).status()).isEqualTo(204);
            }
            assertThat(backend.connections.get()).isEqualTo(3);
            assertThat(backend.heads.getFirst()).endsWith("Connection: close\r\n\r\n");
        }
    }

    @Test
    void backendClosingAnIdleConnectionCostsNoError() throws Exception {
        // every connection answers one request and then closes (FIN, or RST on odd connections)
        try (ProxyBackend backend = new ProxyBackend(c -> {
                c.readHead();
                c.write("HTTP/1.1 204 No Content\r\n\r\n");
                Thread.sleep(300);
                if (c.channel.hashCode() % 2 == 0) {
                    c.reset();
                }
            });
             TestServer s = TestServer.start(ProxyUpgradeTest.config(backend.port(), KEEP));
             RawHttp c = RawHttp.connect(s.port(), Duration.ofSeconds(10))) {
            for (int i = 0; i < 4; i++) {
                assertThat(get(c, "/n" + i).status()).isEqualTo(204);
                Thread.sleep(600); // the backend has closed the pooled connection by now
            }
            assertThat(backend.connections.get()).isEqualTo(4);
        }
    }

    @Test
    void raceWithTheBackendClosingIsRetriedOnce() throws Exception {
        // the backend takes the second request on the pooled connection and closes without answering: the race a
        // keep-alive client cannot tell from a closed idle connection; the request goes again on a new connection
        try (ProxyBackend backend = new ProxyBackend(c -> {
                c.readHead();
                c.write("HTTP/1.1 204 No Content\r\n\r\n");
                c.readHead();
            });
             TestServer s = TestServer.start(ProxyUpgradeTest.config(backend.port(), KEEP));
             RawHttp c = RawHttp.connect(s.port(), Duration.ofSeconds(10))) {
            assertThat(get(c, "/a").status()).isEqualTo(204);
            assertThat(get(c, "/b").status()).isEqualTo(204);
            assertThat(backend.connections.get()).isEqualTo(2);
            assertThat(backend.heads).filteredOn(h -> h.startsWith("GET /b ")).hasSize(2);
        }
    }

    @Test
    void idleConnectionsAreClosedAfterTheIdleLimit() throws Exception {
        try (ProxyBackend backend = new ProxyBackend(c -> {
                while (c.readHead() != null) {
                    c.write("HTTP/1.1 204 No Content\r\n\r\n");
                }
            });
             TestServer s = TestServer.start(ProxyUpgradeTest.config(backend.port(),
                     KEEP + "proxy.backend-keep-alive-idle = 1\n"));
             RawHttp c = RawHttp.connect(s.port(), Duration.ofSeconds(10))) {
            assertThat(get(c, "/a").status()).isEqualTo(204);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (backend.events.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(backend.events).as("the proxy closed the idle connection").containsExactly("done");
            assertThat(get(c, "/b").status()).isEqualTo(204);
            assertThat(backend.connections.get()).isEqualTo(2);
        }
    }
}
