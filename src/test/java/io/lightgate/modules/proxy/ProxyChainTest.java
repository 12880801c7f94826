package io.lightgate.modules.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The seed's two-server shape: lightgate mod_proxy in front of lightgate mod_wstunnel, a JDK WebSocket client. */
@ExtendWith(LeakGuard.class)
class ProxyChainTest {

    @Test
    void webSocketThroughProxyAndWstunnelCountsToFive() throws Exception {
        try (ProxyBackend echo = new ProxyBackend(c -> {
                byte[] buf = new byte[4096];
                int n;
                while ((n = c.in.read(buf)) > 0) {
                    c.out.write(buf, 0, n);
                }
            });
             TestServer tunnel = TestServer.start("server.modules = (\"mod_wstunnel\")\n"
                     + "wstunnel.server = ( \"/ws/\" => ( ( \"host\" => \"127.0.0.1\", \"port\" => " + echo.port() + " ) ) )\n");
             TestServer proxy = TestServer.start(ProxyUpgradeTest.config(tunnel.port(),
                     "proxy.header = ( \"upgrade\" => \"enable\" )\n"))) {
            LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + proxy.port() + "/ws/echo"), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                            got.add(data.toString());
                            w.request(1);
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
            for (int i = 1; i <= 5; i++) {
                ws.sendText(Integer.toString(i), true).get(5, TimeUnit.SECONDS);
                assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo(Integer.toString(i));
            }
            ws.sendClose(1000, "").get(5, TimeUnit.SECONDS);
        }
    }
}
