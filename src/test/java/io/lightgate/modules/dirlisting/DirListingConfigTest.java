package io.lightgate.modules.dirlisting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.lightgate.config.ConfigException;
import io.lightgate.config.ConfigParser;
import io.lightgate.server.ModuleRegistry;
import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.TestServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** How mod_dirlisting is loaded and configured: module order, Debian's module list, config errors, warnings. */
@ExtendWith(LeakGuard.class)
class DirListingConfigTest {

    private static List<String> moduleNames(String config, List<String> warnings) throws ConfigException {
        return ModuleRegistry.builtIn().moduleNames(ConfigParser.parseText("test.conf", config, Path.of("/")),
                warnings::add);
    }

    @Test
    void loadedBeforeStaticfileWhereverItsKeysAreSet() throws Exception {
        List<String> warnings = new ArrayList<>();
        assertThat(moduleNames("$HTTP[\"url\"] =^ \"/pub/\" { dir-listing.activate = \"enable\" }", warnings))
                .containsExactly("mod_dirlisting", "mod_staticfile");
        assertThat(moduleNames("server.modules = (\"mod_staticfile\")\nserver.dir-listing = \"enable\"", warnings))
                .containsExactly("mod_dirlisting", "mod_staticfile");
        assertThat(moduleNames("dir-listing.exclude = (\"~$\")", warnings))
                .containsExactly("mod_dirlisting", "mod_staticfile");
        assertThat(moduleNames("server.modules = (\"mod_indexfile\")", warnings))
                .containsExactly("mod_indexfile", "mod_staticfile");
        assertThat(warnings).isEmpty();
    }

    @Test
    void listedAfterStaticfileStillListsWithoutAWarning() throws Exception {
        // mod_staticfile passes directories on, so the order does not matter (lighttpd 1.4.69 itself appends
        // mod_dirlisting after a listed mod_staticfile)
        List<String> warnings = new ArrayList<>();
        String config = "server.modules = (\"mod_staticfile\", \"mod_dirlisting\")\ndir-listing.activate = \"enable\"";
        assertThat(moduleNames(config, warnings)).containsExactly("mod_staticfile", "mod_dirlisting");
        assertThat(warnings).isEmpty();
        try (TestServer server = TestServer.start(config); HttpClient client = HttpClient.newHttpClient()) {
            Files.writeString(server.docroot().resolve("f.txt"), "f");
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(server.uri("/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("<a href=\"f.txt\">f.txt</a>");
        }
    }

    @Test
    void debiansModuleListStartsAndLists() throws Exception {
        try (TestServer server = TestServer.start("""
                server.modules = ("mod_indexfile")
                server.modules += ("mod_dirlisting", "mod_staticfile")
                dir-listing.activate = "enable"
                """);
                HttpClient client = HttpClient.newHttpClient()) {
            Files.writeString(server.docroot().resolve("f.txt"), "f");
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(server.uri("/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("<a href=\"f.txt\">f.txt</a>");
            assertThat(server.errorLines()).noneMatch(l -> l.contains("dir-listing"));
        }
    }

    @Test
    void anInvalidExcludeRegexIsAStartUpError() {
        assertThatThrownBy(() -> TestServer.start("dir-listing.exclude = (\"(unclosed\")").close())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("dir-listing.exclude")
                .hasMessageContaining("(unclosed");
    }

    @Test
    void theDirectoryIsReadOffTheEventLoopWhichServesOthersMeanwhile() throws Exception {
        // the reader executor holds every listing until released: with one event loop, a static file must still
        // be served meanwhile, and the listing arrives after the release
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.Executor held = task -> Thread.ofPlatform().daemon().start(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            task.run();
        });
        ModuleRegistry registry = ModuleRegistry.builtIn().register("mod_dirlisting",
                () -> new DirListingModule(DirListingModule.MAX_ENTRIES, held));
        java.time.Duration t = java.time.Duration.ofSeconds(10);
        try (TestServer server = TestServer.start("server.event-loops = 1\ndir-listing.activate = \"enable\"",
                registry)) {
            Files.createDirectories(server.docroot().resolve("pub"));
            Files.writeString(server.docroot().resolve("pub/listed.txt"), "x");
            Files.writeString(server.docroot().resolve("a.txt"), "served");
            try (io.lightgate.testing.RawHttp listing = io.lightgate.testing.RawHttp.connect(server.port(), t)) {
                listing.send("GET /pub/ HTTP/1.1\r\nHost: a\r\n\r\n");
                String other = io.lightgate.testing.RawHttp.exchange(server.port(),
                        "GET /a.txt HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", t);
                assertThat(other).startsWith("HTTP/1.1 200 ").endsWith("served");
                listing.readTimeout(java.time.Duration.ofMillis(200));
                assertThatThrownBy(listing::readLine).as("no listing before the reader ran")
                        .isInstanceOf(java.net.SocketTimeoutException.class);
                release.countDown();
                listing.readTimeout(t);
                io.lightgate.testing.RawHttp.Response r = listing.readResponse(false);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body()).contains("listed.txt");
            }
        }
    }

    @Test
    void aHugeDirectoryIsCutAtTheEntryLimitWithALogLine() throws Exception {
        ModuleRegistry registry = ModuleRegistry.builtIn().register("mod_dirlisting", () -> new DirListingModule(3));
        try (TestServer server = TestServer.start("dir-listing.activate = \"enable\"", registry);
                HttpClient client = HttpClient.newHttpClient()) {
            for (int i = 0; i < 5; i++) {
                Files.writeString(server.docroot().resolve("f" + i), "x");
            }
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(server.uri("/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body().split("<tr><td class=\"n\">", -1)).hasSize(1 + 3);
            assertThat(server.errorLines()).anyMatch(l -> l.contains("cut at 3 entries"));
        }
    }

    @Test
    void anUnreadableDirectoryIs403() throws Exception {
        try (TestServer server = TestServer.start("dir-listing.activate = \"enable\"");
                HttpClient client = HttpClient.newHttpClient()) {
            Path closed = Files.createDirectories(server.docroot().resolve("closed"));
            Files.setPosixFilePermissions(closed, java.nio.file.attribute.PosixFilePermissions.fromString("-wx------"));
            // root reads any directory: the case only exists for an ordinary user
            assumeFalse(Files.isReadable(closed), "running as root: every directory is readable");
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(server.uri("/closed/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(403);
        }
    }

    @Test
    void cacheIsWarnedAsNotSupported() throws Exception {
        try (TestServer server = TestServer.start("""
                dir-listing.activate = "enable"
                $HTTP["url"] =^ "/big/" {
                    dir-listing.cache = ("max-age" => 10, "path" => "/var/cache/lighttpd/dirlist")
                }
                """)) {
            assertThat(server.errorLines()).anyMatch(l -> l.contains("dir-listing.cache is not supported"));
        }
    }
}
