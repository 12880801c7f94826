package io.lightgate;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.BrowserPage;
import io.lightgate.testing.Chromium;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code lightgate demo} from the packaged jar, as a newcomer runs it: it prints its links, and its WebSocket page
 * counts 1 .. 5 in headless Chromium through mod_wstunnel and the echo backend the demo spawned, both from the
 * site's own port and through the demo's mod_proxy listener (the seed's proxy chain: proxy, then wstunnel,
 * then echo); ^C (SIGINT) stops it, the backend goes with it and the demo directory is removed.
 */
class DemoIT {
    private static final Pattern ECHO_LINK =
            Pattern.compile("WebSocket echo CGI through [^:]+: (http://127\\.0\\.0\\.1:\\d+/echo\\.html\\?path=/\\w+/ws-echo\\.pl)");
    private static final Pattern COUNT_LINK = Pattern.compile("mod_wstunnel\\): (http://127\\.0\\.0\\.1:\\d+/)count\\.html");
    private static final Pattern PROXY_LINK =
            Pattern.compile("through mod_proxy .*: (http://127\\.0\\.0\\.1:\\d+/)count\\.html");
    private static final Pattern SERVING = Pattern.compile("demo: serving (\\S+)");

    @Test
    void theWebSocketPageCountsToFiveDirectlyAndThroughTheProxyAndCtrlCCleansUp() throws Exception {
        Chromium.assumeAvailable();
        Process demo = new ProcessBuilder(List.of(CliIT.JAVA, "-jar", CliIT.JAR.toString(), "demo", "-p", "0"))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8));
            String base = null;
            String proxied = null;
            Path site = null;
            StringBuilder printed = new StringBuilder();
            List<String> echoPages = new java.util.ArrayList<>();
            while (base == null || proxied == null || echoPages.size() < 3) {
                String line = CompletableFuture.supplyAsync(() -> readLine(out)).get(60, TimeUnit.SECONDS);
                assertThat(line).as("demo output so far: %s", printed).isNotNull();
                printed.append(line).append('\n');
                Matcher serving = SERVING.matcher(line);
                if (serving.find()) {
                    site = Path.of(serving.group(1));
                }
                Matcher link = COUNT_LINK.matcher(line);
                if (link.find()) {
                    base = link.group(1);
                }
                Matcher echoLink = ECHO_LINK.matcher(line);
                if (echoLink.find()) {
                    echoPages.add(echoLink.group(1));
                }
                Matcher proxyLink = PROXY_LINK.matcher(line);
                if (proxyLink.find()) {
                    proxied = proxyLink.group(1);
                }
            }
            assertThat(proxied).isNotEqualTo(base);
            assertThat(site).isNotNull();
            assertThat(Files.isDirectory(site)).isTrue();
            try (Chromium browser = Chromium.launch()) {
                BrowserPage page = browser.open(URI.create(base + "count.html"));
                String log = page.awaitText("log", t -> t.contains("RECV: 5"), Duration.ofSeconds(30));
                assertThat(log).containsSubsequence("CONNECT", "RECV: 1", "RECV: 2", "RECV: 3", "RECV: 4", "RECV: 5");
                BrowserPage throughProxy = browser.open(URI.create(proxied + "count.html"));
                String proxiedLog = throughProxy.awaitText("log", t -> t.contains("RECV: 5"), Duration.ofSeconds(30));
                assertThat(proxiedLog)
                        .containsSubsequence("CONNECT", "RECV: 1", "RECV: 2", "RECV: 3", "RECV: 4", "RECV: 5");
                assertThat(throughProxy.problems()).isEmpty();
                // the echo CGI through mod_cgi, mod_scgi + scgi-cgi and mod_fastcgi + fcgi-cgi
                assertThat(echoPages).as("demo output: %s", printed).hasSize(3)
                        .anyMatch(u -> u.endsWith("/cgi/ws-echo.pl")).anyMatch(u -> u.endsWith("/scgi/ws-echo.pl"))
                        .anyMatch(u -> u.endsWith("/fcgi/ws-echo.pl"));
                for (String echoPage : echoPages) {
                    BrowserPage echo = browser.open(URI.create(echoPage));
                    echo.awaitText("log", t -> t.contains("CONNECT "), Duration.ofSeconds(30));
                    String message = "hi " + echoPage.substring(echoPage.indexOf("path=") + 5);
                    echo.evaluate("document.getElementById('message').value = '" + message + "';"
                            + "document.querySelector('#form button').click(); true");
                    String echoLog = echo.awaitText("log", t -> t.contains("RECV: " + message), Duration.ofSeconds(30));
                    assertThat(echoLog).as(echoPage).containsSubsequence("CONNECT", "SEND: " + message,
                            "RECV: " + message);
                    assertThat(echo.problems()).as(echoPage).isEmpty();
                }
            }
            List<ProcessHandle> backends = demo.descendants().toList();
            assertThat(backends).as("the echo backend the demo spawned").isNotEmpty();

            new ProcessBuilder("kill", "-INT", Long.toString(demo.pid())).start().waitFor();
            assertThat(demo.waitFor(30, TimeUnit.SECONDS)).as("demo exits after SIGINT").isTrue();
            for (ProcessHandle backend : backends) {
                assertThat(backend.isAlive()).as("backend %d after the demo stopped", backend.pid()).isFalse();
            }
            assertThat(Files.exists(site.getParent())).as("demo directory removed").isFalse();
        } finally {
            demo.descendants().forEach(ProcessHandle::destroyForcibly);
            demo.destroyForcibly();
        }
    }

    private static String readLine(BufferedReader in) {
        try {
            return in.readLine();
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
