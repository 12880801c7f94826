package io.lightgate.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.BrowserPage;
import io.lightgate.testing.Chromium;
import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.TestServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4's acceptance: the seed's two-server example. lightgate with the seed's lighttpd-proxy.conf (mod_proxy,
 * upgrade enabled) in front of lightgate with the seed's lighttpd-wstunnel.conf spawning the seed's echo.pl;
 * only paths and ports substituted. Headless Chromium loads count.html from the PROXY's port, so the page and
 * its WebSocket ({@code ws://location.host/ws/}) both go proxy, then wstunnel, then echo.pl; it counts 1 .. 5.
 */
@ExtendWith(LeakGuard.class)
class SeedProxyChainTest {
    private static Chromium browser;

    @TempDir
    Path dir;

    @BeforeAll
    static void launchBrowser() throws Exception {
        SeedWstunnel.assumeSeedPresent();
        Chromium.assumeAvailable();
        browser = Chromium.launch();
    }

    @AfterAll
    static void closeBrowser() throws Exception {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void chromiumCountsToFiveThroughProxyThenWstunnelThenEchoPl() throws Exception {
        SeedWstunnel backend = SeedWstunnel.prepare(Files.createDirectories(dir.resolve("wstunnel")),
                SeedWstunnel.Program.ECHO);
        try (TestServer wstunnel = backend.start()) {
            SeedProxyChain chain = SeedProxyChain.prepare(dir, wstunnel.port());
            try (TestServer proxy = chain.start(); HttpClient http = HttpClient.newHttpClient()) {
                assertThat(proxy.port()).isNotEqualTo(wstunnel.port());
                // The page itself comes through the proxy: the wstunnel server's copy of the seed's file.
                HttpResponse<byte[]> page = http.send(HttpRequest.newBuilder(proxy.uri("/count.html")).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertThat(page.statusCode()).isEqualTo(200);
                SameBytes.assertSame(page.body(), Files.readAllBytes(backend.docroot.resolve("count.html")),
                        "count.html through the proxy");

                BrowserPage tab = browser.open(proxy.uri("/count.html"));
                String log = tab.awaitText("log", s -> s.contains("RECV: 5"), Duration.ofSeconds(20));
                assertThat(log.lines().filter(l -> l.startsWith("RECV: ")).toList())
                        .as("the page's log:\n%s", log)
                        .containsExactly("RECV: 1", "RECV: 2", "RECV: 3", "RECV: 4", "RECV: 5");
                assertThat(log).startsWith("CONNECT\n");
                assertThat(tab.problems()).isEmpty();
                assertThat(proxy.errorLines()).as("proxy error log").noneMatch(l -> l.contains("Exception"));
            }
        }
        // Stopping the wstunnel server stops and reaps echo.pl (no process, no zombie left).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (backend.runningChild().isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(backend.runningChild()).as("echo.pl after the servers stopped").isEmpty();
    }
}
