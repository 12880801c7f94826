package io.lightgate.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Chromium helper against pages served by a real lightgate: success, failure, and no leftovers. */
class ChromiumTest {
    private static final String CONFIG = "mimetype.assign = ( \".html\" => \"text/html\" )\n";
    private static TestServer server;
    private static Chromium browser;

    @BeforeAll
    static void start() throws Exception {
        Chromium.assumeAvailable();
        server = TestServer.start(CONFIG);
        // Counts 1 .. 5 on a timer, the way the WebSocket demo page fills its log.
        Files.writeString(server.docroot().resolve("timer.html"), """
                <!DOCTYPE html>
                <pre id="log"></pre>
                <script>
                  let n = 0;
                  const t = setInterval(() => {
                    document.getElementById('log').textContent += (++n) + '\\n';
                    if (n === 5) clearInterval(t);
                  }, 50);
                </script>
                """);
        Files.writeString(server.docroot().resolve("broken.html"), """
                <!DOCTYPE html>
                <pre id="log">waiting</pre>
                <script>
                  setTimeout(() => { console.error('about to fail'); throw new Error('broken on purpose'); }, 50);
                </script>
                """);
        // Counts 1 .. 5 through a WebSocket echo, as the seed's count.html does, to the server named in ?ws=.
        Files.writeString(server.docroot().resolve("count.html"), """
                <!DOCTYPE html>
                <pre id="log"></pre>
                <script>
                  const log = m => document.getElementById('log').textContent += m + '\\n';
                  const ws = new WebSocket(new URLSearchParams(location.search).get('ws'));
                  let n = 0;
                  const next = () => { if (++n <= 5) ws.send(n + '\\n'); else ws.close(1000); };
                  ws.onopen = () => { log('CONNECT'); next(); };
                  ws.onmessage = e => { log('RECV: ' + e.data.trim()); next(); };
                  ws.onclose = e => log('DISCONNECT ' + e.code);
                </script>
                """);
        browser = Chromium.launch();
    }

    @AfterAll
    static void stop() throws IOException {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    @Test
    void seesWhatThePageScriptWritesAfterATimer() throws IOException {
        BrowserPage page = browser.open(server.uri("/timer.html"));
        String log = page.awaitText("log", s -> s.contains("5"), Duration.ofSeconds(20));
        assertThat(log).isEqualTo("1\n2\n3\n4\n5\n");
        assertThat(page.evaluate("document.contentType")).isEqualTo("text/html");
        assertThat(page.problems()).isEmpty();
    }

    @Test
    void countsToFiveOverAWebSocketEcho() throws Exception {
        PythonWebSocketClient.assumeAvailable();
        try (PythonWebSocketServer echo = PythonWebSocketServer.start()) {
            BrowserPage page = browser.open(server.uri("/count.html?ws=" + echo.uri("/ws/")));
            String log = page.awaitText("log", s -> s.contains("DISCONNECT"), Duration.ofSeconds(20));
            assertThat(log).isEqualTo("CONNECT\nRECV: 1\nRECV: 2\nRECV: 3\nRECV: 4\nRECV: 5\nDISCONNECT 1000\n");
        }
    }

    @Test
    void aPageThatNeverGetsThereFailsWithItsErrors() throws IOException {
        BrowserPage page = browser.open(server.uri("/broken.html"));
        assertThatThrownBy(() -> page.awaitText("log", s -> s.contains("5"), Duration.ofSeconds(2)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("last value: \"waiting\"")
                .hasMessageContaining("console.error: about to fail")
                .hasMessageContaining("Error: broken on purpose");
    }

    @Test
    void aScriptErrorInEvaluateIsReported() throws IOException {
        BrowserPage page = browser.open(server.uri("/timer.html"));
        assertThatThrownBy(() -> page.evaluate("no_such_variable.x"))
                .isInstanceOf(IOException.class).hasMessageContaining("ReferenceError");
    }

    @Test
    void aRefusedNavigationIsAnError() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        assertThatThrownBy(() -> browser.open(URI.create("http://127.0.0.1:" + closedPort + "/")))
                .isInstanceOf(IOException.class).hasMessageContaining("ERR_CONNECTION_REFUSED");
    }

    @Test
    void closeKillsEveryProcessAndDeletesTheProfile() throws IOException {
        Chromium own = Chromium.launch();
        List<ProcessHandle> tree;
        try {
            own.open(server.uri("/timer.html")).awaitText("log", s -> s.contains("1"), Duration.ofSeconds(20));
            tree = own.processTree();
            // browser, zygotes, renderer, utility processes and the daemonised crashpad handlers
            assertThat(tree).hasSizeGreaterThan(3);
            assertThat(tree).allMatch(h -> Chromium.running(h.pid()));
            assertThat(own.directory()).isDirectory();
        } finally {
            own.close();
        }
        assertThat(tree).noneMatch(h -> Chromium.running(h.pid()));
        assertThat(own.directory()).doesNotExist();
    }
}
