package io.lightgate.modules.dirlisting;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.Lighttpd;
import io.lightgate.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same directories listed by Debian's lighttpd 1.4.69 and by lightgate, with the same config: the pages and
 * the Content-Type must be equal, except for the server tag in the footer and the inline style sheet and script
 * (lightgate's own text, see {@link Assets}).
 */
@ExtendWith(LeakGuard.class)
class DirListingLighttpdTest {
    private static final String CONFIG = """
            server.modules += ("mod_dirlisting")
            dir-listing.activate = "enable"
            mimetype.assign = (".txt" => "text/plain", ".html" => "text/html", ".jpg" => "image/jpeg")
            $HTTP["url"] =^ "/pub/" {
                dir-listing.encoding = "utf-8"
                dir-listing.show-readme = "enable"
                dir-listing.show-header = "enable"
                dir-listing.hide-readme-file = "enable"
                dir-listing.external-css = "/s.css"
                dir-listing.external-js = "/s.js"
                dir-listing.set-footer = "<i>foot</i>"
                dir-listing.hide-dotfiles = "disable"
                dir-listing.exclude = ("^a", "\\\\.bin$")
            }
            $HTTP["url"] =^ "/odd/" {
                dir-listing.external-js = ""
                dir-listing.external-css = ""
                dir-listing.set-footer = ""
                dir-listing.encoding = ""
            }
            $HTTP["url"] =^ "/sub/" {
                dir-listing.encode-readme = "disable"
                dir-listing.show-readme = "enable"
                dir-listing.auto-layout = "disable"
            }
            """;
    private static final Pattern INLINE_ASSETS = Pattern.compile(
            "<style type=\"text/css\">\n.*?</style>|<script type=\"text/javascript\">\n.*?</script>", Pattern.DOTALL);

    @TempDir static Path dir;
    private static Lighttpd lighttpd;
    private static TestServer lightgate;
    private static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        Lighttpd.assumeAvailable();
        Path root = Files.createDirectories(dir.resolve("docroot"));
        for (Path d : new Path[] {root, root.resolve("pub"), root.resolve("sub"), root.resolve("odd")}) {
            Files.createDirectories(d.resolve("inner"));
            Files.write(d.resolve("a.txt"), new byte[50]);
            Files.write(d.resolve("big.bin"), new byte[150_000]);
            Files.write(d.resolve("m.jpg"), new byte[1_100_000]);
            Files.write(d.resolve("k.css"), new byte[1023]);
            Files.writeString(d.resolve("B.html"), "hi\n");
            Files.writeString(d.resolve(".hidden"), "x\n");
            Files.writeString(d.resolve("empty"), "");
            Files.writeString(d.resolve("README.txt"), "README <x> é\n");
            Files.writeString(d.resolve("HEADER.txt"), "HEAD & er\n");
        }
        for (String name : new String[] {"<b>&\"x y.txt", "é'#?%.txt", "n!$()*+,-.x:;=@[\\]^_`{|}~", "t\tb",
                "d\u007f", "Zeta", "zeta"}) {
            Files.writeString(root.resolve("odd").resolve(name), "n");
        }
        lighttpd = Lighttpd.start(dir, port -> """
                server.document-root = "%1$s/docroot"
                server.bind = "127.0.0.1"
                server.port = %2$d
                server.errorlog = "%1$s/error.log"
                """.formatted(dir, port) + CONFIG);
        lightgate = TestServer.start("server.document-root = \"" + root + "\"\n" + CONFIG);
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (lightgate != null) {
            lightgate.close();
        }
        if (lighttpd != null) {
            lighttpd.close();
        }
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String comparable(String page, String tag) {
        return INLINE_ASSETS.matcher(page.replace("<div class=\"foot\">" + tag + "</div>", "<div class=\"foot\">TAG</div>"))
                .replaceAll("ASSETS");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/pub/", "/sub/", "/odd/", "/pub/inner/"})
    void sameListingAsLighttpd(String path) throws Exception {
        HttpResponse<String> expected = get(URI.create("http://127.0.0.1:" + lighttpd.port() + path));
        HttpResponse<String> actual = get(lightgate.uri(path));
        assertThat(expected.statusCode()).isEqualTo(200);
        assertThat(actual.statusCode()).isEqualTo(200);
        assertThat(expected.body()).contains("<h2>Index of " + path + "</h2>"); // a listing, not an error page
        assertThat(actual.headers().firstValue("content-type")).isEqualTo(expected.headers().firstValue("content-type"));
        assertThat(actual.headers().firstValue("accept-ranges")).isEqualTo(expected.headers().firstValue("accept-ranges"));
        String lighttpdTag = expected.headers().firstValue("server").orElseThrow();
        String lightgateTag = actual.headers().firstValue("server").orElseThrow();
        assertThat(comparable(actual.body(), lightgateTag)).isEqualTo(comparable(expected.body(), lighttpdTag));
    }
}
