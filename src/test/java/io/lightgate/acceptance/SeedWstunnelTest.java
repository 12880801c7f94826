package io.lightgate.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.BrowserPage;
import io.lightgate.testing.Chromium;
import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 3's acceptance: the seed's lighttpd-wstunnel.conf (only paths and port substituted) spawns the seed's
 * echo program via bin-path, and headless Chromium loading the seed's count.html counts 1 .. 5 through
 * mod_wstunnel, with echo.pl and with echo-incremental.pl.
 */
@ExtendWith(LeakGuard.class)
class SeedWstunnelTest {
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

    @ParameterizedTest
    @EnumSource(SeedWstunnel.Program.class)
    void chromiumCountsToFiveThroughTheSeedConfig(SeedWstunnel.Program program) throws Exception {
        SeedWstunnel seed = SeedWstunnel.prepare(dir, program);
        try (TestServer server = seed.start()) {
            assertThat(seed.runningChild()).as("%s spawned via bin-path at start-up", program.file).isPresent();
            BrowserPage page = browser.open(server.uri("/count.html"));
            // echo-incremental.pl answers once a second: about 5 s for the whole count
            String log = page.awaitText("log", s -> s.contains("RECV: 5"), Duration.ofSeconds(20));
            assertThat(log.lines().filter(l -> l.startsWith("RECV: ")).toList())
                    .as("the page's log:\n%s", log)
                    .containsExactly("RECV: 1", "RECV: 2", "RECV: 3", "RECV: 4", "RECV: 5");
            assertThat(log).startsWith("CONNECT\n");
            assertThat(page.problems()).isEmpty();
        }
        // Stopping the server stops and reaps the spawned program (no process, no zombie left).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (seed.runningChild().isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(seed.runningChild()).as("%s after the server stopped", program.file).isEmpty();
    }
}
