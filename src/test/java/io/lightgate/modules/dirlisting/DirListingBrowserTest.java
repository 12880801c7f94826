package io.lightgate.modules.dirlisting;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.BrowserPage;
import io.lightgate.testing.Chromium;
import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** lightgate's own inline sort script in headless Chromium: initial order from ?C=&O=, and header clicks. */
@ExtendWith(LeakGuard.class)
class DirListingBrowserTest {
    private static final Duration T = Duration.ofSeconds(10);
    /** The names in the table's row order, '|'-joined, once the script has turned the headers into links. */
    private static final String ROWS = "document.querySelector('th a.sortheader') ? Array.from("
            + "document.querySelectorAll('tbody tr td.n')).map(td => td.textContent).join('|') : ''";
    private static TestServer server;
    private static Chromium browser;

    @BeforeAll
    static void start() throws Exception {
        Chromium.assumeAvailable();
        server = TestServer.start("dir-listing.activate = \"enable\"");
        Path dir = Files.createDirectories(server.docroot().resolve("d"));
        file(dir.resolve("small.txt"), 10, "2020-01-01T00:00:00Z");
        file(dir.resolve("Big.txt"), 5000, "2022-06-01T00:00:00Z");
        file(dir.resolve("mid.txt"), 2000, "2021-03-01T00:00:00Z");
        Files.createDirectories(dir.resolve("sub"));
        browser = Chromium.launch();
    }

    private static void file(Path path, int size, String mtime) throws Exception {
        Files.write(path, new byte[size]);
        Files.setLastModifiedTime(path, FileTime.from(Instant.parse(mtime)));
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static String rows(BrowserPage page) throws Exception {
        return (String) page.await(ROWS, v -> !"".equals(v), T);
    }

    @Test
    void defaultOrderIsByNameDirectoriesFirst() throws Exception {
        BrowserPage page = browser.open(server.uri("/d/"));
        assertThat(rows(page)).isEqualTo("../|sub/|Big.txt|mid.txt|small.txt");
        assertThat(page.problems()).isEmpty();
    }

    @Test
    void queryPicksColumnAndOrder() throws Exception {
        assertThat(rows(browser.open(server.uri("/d/?C=S&O=A"))))
                .isEqualTo("../|sub/|small.txt|mid.txt|Big.txt");
        // descending reverses every row, the parent row too, as lighttpd's script does; sub/ is the newest
        assertThat(rows(browser.open(server.uri("/d/?C=M&O=D"))))
                .isEqualTo("sub/|Big.txt|mid.txt|small.txt|../");
    }

    @Test
    void clickingAHeaderSortsByItAndAgainReverses() throws Exception {
        BrowserPage page = browser.open(server.uri("/d/"));
        rows(page);
        page.evaluate("document.querySelectorAll('th a.sortheader')[2].click()");
        assertThat(page.evaluate(ROWS)).isEqualTo("../|sub/|small.txt|mid.txt|Big.txt");
        page.evaluate("document.querySelectorAll('th a.sortheader')[2].click()");
        assertThat(page.evaluate(ROWS)).isEqualTo("Big.txt|mid.txt|small.txt|sub/|../");
        assertThat(page.problems()).isEmpty();
    }
}
