package io.lightgate.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.BrowserPage;
import io.lightgate.testing.Chromium;
import io.lightgate.testing.LeakGuard;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 5's acceptance in a browser: the seed's cgi.conf, scgi.conf and fastcgi.conf (see {@link SeedCgiFamily})
 * and headless Chromium loading the seed's ws_echo.html, typing messages into its form and seeing each echoed by
 * examples/cgi/ws-echo.pl in #output, through mod_cgi, mod_scgi + scgi-cgi and mod_fastcgi + fcgi-cgi.
 */
@ExtendWith(LeakGuard.class)
class SeedCgiFamilyTest {
    private static Chromium browser;

    @TempDir
    Path dir;

    @BeforeAll
    static void launchBrowser() throws Exception {
        SeedCgiFamily.assumeReady();
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
    @EnumSource(SeedCgiFamily.Route.class)
    void chromiumTypesIntoTheSeedsEchoPageAndSeesEachMessageEchoed(SeedCgiFamily.Route route) throws Exception {
        try (CgiFamilyRun run = CgiFamilyRun.start(dir, route)) {
            BrowserPage page = browser.open(run.server.uri("/ws_echo.html"));
            // the page keeps its socket in the global "s"; 1 = OPEN
            page.await("typeof s === 'object' ? s.readyState : -1", v -> v instanceof Number n && n.intValue() == 1,
                    Duration.ofSeconds(30));
            List<String> sent = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                String message = "hello " + route + " " + i;
                sent.add(message);
                // what a user does: type into the text box, press the form's Send button
                page.evaluate("document.getElementById('message').value = '" + message + "';"
                        + "document.querySelector('#form button[type=submit]').click(); true");
                int expected = i;
                page.await("document.getElementById('output').children.length",
                        v -> v instanceof Number n && n.intValue() >= expected, Duration.ofSeconds(20));
                assertThat(page.evaluate("document.getElementById('message').value"))
                        .as("the form cleared the box after sending").isEqualTo("");
            }
            Object echoed = page.evaluate("Array.from(document.getElementById('output').children)"
                    + ".map(p => p.tagName + ':' + p.textContent)");
            assertThat(echoed).as("#output").isEqualTo(sent.stream().map(m -> "P:" + m).toList());
            assertThat(page.problems()).isEmpty();
            // leave the page so that the socket closes before the server stops
            page.evaluate("s.close(); true");
            page.await("s.readyState", v -> v instanceof Number n && n.intValue() == 3, Duration.ofSeconds(10));
        }
    }
}
