package io.lightgate.modules.dirlisting;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.RawHttp;
import io.lightgate.testing.TestServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** mod_dirlisting in a real server over real sockets, on real files. */
@ExtendWith(LeakGuard.class)
class DirListingIntegrationTest {
    private static final Duration T = Duration.ofSeconds(5);
    private static final Instant MTIME = Instant.parse("2024-02-29T13:14:15Z");
    private static final String NASTY = "<b>&\"x y.txt";
    private static TestServer server;
    private static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start("""
                server.tag = "test-tag"
                index-file.names = ("index.html")
                mimetype.assign = (".txt" => "text/plain", ".html" => "text/html")
                $HTTP["url"] =^ "/pub/" {
                    dir-listing.activate = "enable"
                }
                $HTTP["url"] == "/" {
                    dir-listing.activate = "enable"
                }
                $HTTP["url"] =^ "/dots/" {
                    server.dir-listing = "enable"
                    dir-listing.hide-dotfiles = "disable"
                }
                $HTTP["url"] =^ "/excl/" {
                    dir-listing.activate = "enable"
                    dir-listing.exclude = ("\\.bak$", "^tmp")
                }
                $HTTP["url"] =^ "/docs/" {
                    dir-listing.activate = "enable"
                    dir-listing.show-readme = "enable"
                    dir-listing.hide-readme-file = "enable"
                    dir-listing.show-header = "notes.txt"
                    dir-listing.encoding = "utf-8"
                    dir-listing.set-footer = "<i>footer</i>"
                }
                """);
        Path root = server.docroot();
        Path pub = Files.createDirectories(root.resolve("pub"));
        write(pub.resolve("b.txt"), "x".repeat(50));
        write(pub.resolve("B.txt"), "x".repeat(2048));
        write(pub.resolve("a.html"), "<p>");
        write(pub.resolve("data"), "");
        write(pub.resolve(".secret"), "dot");
        write(pub.resolve(NASTY), "nasty");
        Files.createDirectories(pub.resolve("zsub"));
        Files.createDirectories(pub.resolve("Asub"));
        write(pub.resolve("withindex/index.html"), "<h1>index</h1>");
        write(pub.resolve("withindex/other.txt"), "o");
        for (String dir : new String[] {"zsub", "Asub", "withindex"}) {
            Files.setLastModifiedTime(pub.resolve(dir), FileTime.from(MTIME));
        }
        write(root.resolve("dots/.profile"), "p");
        write(root.resolve("dots/shown.txt"), "s");
        write(root.resolve("excl/keep.txt"), "k");
        write(root.resolve("excl/old.bak"), "b");
        write(root.resolve("excl/tmpfile"), "t");
        write(root.resolve("excl/at-tmp"), "t");
        write(root.resolve("docs/README.txt"), "Read <me> & more\n");
        write(root.resolve("docs/notes.txt"), "Notes\n");
        write(root.resolve("docs/file.txt"), "f");
        write(root.resolve("closed/file.txt"), "f");
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    private static void write(Path file, String content) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        Files.setLastModifiedTime(file, FileTime.from(MTIME));
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        server.close();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(server.uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String date() {
        return DateTimeFormatter.ofPattern("yyyy-MMM-dd HH:mm:ss", Locale.ROOT).format(MTIME.atZone(ZoneId.systemDefault()));
    }

    private static String fileRow(String href, String text, String size, String type) {
        return "<tr><td class=\"n\"><a href=\"" + href + "\">" + text + "</a></td><td class=\"m\">" + date()
                + "</td><td class=\"s\">" + size + "</td><td class=\"t\">" + type + "</td></tr>\n";
    }

    private static String dirRow(String name) {
        return "<tr class=\"d\"><td class=\"n\"><a href=\"" + name + "/\">" + name + "</a>/</td><td class=\"m\">"
                + date() + "</td><td class=\"s\">- &nbsp;</td><td class=\"t\">Directory</td></tr>\n";
    }

    private static final String PARENT_ROW = "<tr class=\"d\"><td class=\"n\"><a href=\"../\">..</a>/</td>"
            + "<td class=\"m\">&nbsp;</td><td class=\"s\">- &nbsp;</td><td class=\"t\">Directory</td></tr>\n";

    @Test
    void listsDirectoriesFirstThenFilesSortedByBytesWithEscapedNames() throws Exception {
        HttpResponse<String> r = get("/pub/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/html");
        assertThat(r.body()).contains("<title>Index of /pub/</title>")
                .contains("<tbody>\n" + PARENT_ROW
                        + dirRow("Asub")
                        + dirRow("withindex")
                        + dirRow("zsub")
                        + fileRow("%3Cb%3E%26%22x%20y.txt", "&#x3C;b&#x3E;&#x26;&#x22;x y.txt", "0.1K", "text/plain")
                        + fileRow("B.txt", "B.txt", "2.0K", "text/plain")
                        + fileRow("a.html", "a.html", "0.1K", "text/html")
                        + fileRow("b.txt", "b.txt", "0.1K", "text/plain")
                        + fileRow("data", "data", "0.0K", "application/octet-stream")
                        + "</tbody>\n")
                .contains("<div class=\"foot\">test-tag</div>")
                .contains("<style type=\"text/css\">")
                .contains("<script type=\"text/javascript\">")
                .doesNotContain("<b>&")
                .doesNotContain(".secret");
    }

    @Test
    void theNastyFileIsReachableThroughItsHref() throws Exception {
        HttpResponse<String> r = get("/pub/%3Cb%3E%26%22x%20y.txt");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("nasty");
    }

    @Test
    void dotfilesShowWithHideDotfilesDisabled() throws Exception {
        HttpResponse<String> r = get("/dots/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("<tbody>\n" + PARENT_ROW
                + fileRow(".profile", ".profile", "0.1K", "application/octet-stream")
                + fileRow("shown.txt", "shown.txt", "0.1K", "text/plain") + "</tbody>\n");
    }

    @Test
    void excludedNamesAreLeftOut() throws Exception {
        HttpResponse<String> r = get("/excl/");
        assertThat(r.body()).contains("<tbody>\n" + PARENT_ROW
                + fileRow("at-tmp", "at-tmp", "0.1K", "application/octet-stream")
                + fileRow("keep.txt", "keep.txt", "0.1K", "text/plain") + "</tbody>\n");
    }

    @Test
    void rootHasNoParentDirectoryRow() throws Exception {
        HttpResponse<String> r = get("/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("<h2>Index of /</h2>")
                .contains("<tbody>\n" + "<tr class=\"d\"><td class=\"n\"><a href=\"closed/\">")
                .doesNotContain("href=\"../\"");
    }

    @Test
    void outsideTheActivatingConditionADirectoryStays403() throws Exception {
        assertThat(get("/closed/").statusCode()).isEqualTo(403);
        assertThat(get("/closed/file.txt").statusCode()).isEqualTo(200);
    }

    @Test
    void anIndexFileTakesPrecedence() throws Exception {
        HttpResponse<String> r = get("/pub/withindex/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("<h1>index</h1>");
    }

    @Test
    void headGetsTheHeadersWithoutTheBody() throws Exception {
        int length = get("/pub/").body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        try (RawHttp c = RawHttp.connect(server.port(), T)) {
            RawHttp.Response head = c.send("HEAD /pub/ HTTP/1.1\r\nHost: t\r\n\r\n").readResponse(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-type")).isEqualTo("text/html");
            assertThat(head.header("content-length")).isEqualTo(Integer.toString(length));
            // the next response starts right after the head: no body was sent
            RawHttp.Response next = c.send("GET /pub/withindex/ HTTP/1.1\r\nHost: t\r\n\r\n").readResponse(false);
            assertThat(next.body()).isEqualTo("<h1>index</h1>");
        }
    }

    @Test
    void postToAListedDirectoryIsNotAListing() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(server.uri("/pub/"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(403);
    }

    @Test
    void readmeAndHeaderAreIncludedEncodedAndTheReadmeHidden() throws Exception {
        HttpResponse<String> r = get("/docs/");
        assertThat(r.headers().firstValue("content-type")).hasValue("text/html;charset=utf-8");
        assertThat(r.body()).contains("<meta charset=\"utf-8\">\n")
                .contains("<body>\n<pre class=\"header\">Notes&#x0A;</pre><h2>Index of /docs/</h2>")
                .contains("<tbody>\n" + PARENT_ROW
                        + fileRow("file.txt", "file.txt", "0.1K", "text/plain")
                        + fileRow("notes.txt", "notes.txt", "0.1K", "text/plain") + "</tbody>\n")
                .contains("</div>\n<pre class=\"readme\">Read &#x3C;me&#x3E; &#x26; more&#x0A;</pre>"
                        + "<div class=\"foot\"><i>footer</i></div>\n")
                .doesNotContain("README.txt");
    }
}
