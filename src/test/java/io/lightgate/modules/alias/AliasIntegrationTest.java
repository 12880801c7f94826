package io.lightgate.modules.alias;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lightgate.config.ConfigException;
import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.Lighttpd;
import io.lightgate.testing.RawHttp;
import io.lightgate.testing.TempTrees;
import io.lightgate.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * mod_alias in a real server over raw sockets, on real files: one config with every alias shape, and the same
 * config run by Debian's lighttpd 1.4.69, which must give the table's answers too (so the table is lighttpd's).
 * The layout lives in a temp directory {@code B}: the document root {@code B/docroot}, the alias targets beside
 * it, and {@code B/secret.txt}, which no request may read.
 */
@ExtendWith(LeakGuard.class)
class AliasIntegrationTest {
    private static final Duration T = Duration.ofSeconds(10);
    private static final String SECRET = "SECRET-" + UUID.randomUUID();
    /** The config both servers run, {@code @B@} standing for the layout's directory. */
    private static final String ALIASES = """
            server.modules += ( "mod_indexfile", "mod_alias", "mod_cgi" )
            index-file.names = ( "index.html", "/root.txt" )
            cgi.assign = ( ".cgi" => "" )
            alias.url = (
                "/files/"   => "@B@/aliased/",
                "/f"        => "@B@/aliased/",
                "/plain"    => "@B@/aliased",
                "/r/"       => "@B@/aliased",
                "/long/er/" => "@B@/longer/",
                "/long/"    => "@B@/long/",
                "/m"        => "@B@/m1/",
                "/z"        => "@B@/other/",
                "/mm"       => "@B@/m2/",
            )
            $HTTP["host"] == "vhost" {
                alias.url = ( "/v/" => "@B@/other/" )
            }
            $HTTP["host"] == "nolink" {
                server.follow-symlink = "disable"
            }
            """;

    private static Path base;
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        base = Files.createTempDirectory("lightgate-alias").toRealPath();
        layOut(base);
        server = TestServer.start("server.document-root = \"" + base.resolve("docroot") + "\"\n"
                + ALIASES.replace("@B@", base.toString()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        TempTrees.delete(base);
    }

    private static void layOut(Path b) throws IOException {
        Files.writeString(Files.createDirectories(b.resolve("docroot")).resolve("root.txt"), "root");
        Files.writeString(b.resolve("secret.txt"), SECRET);
        Path aliased = Files.createDirectories(b.resolve("aliased"));
        Files.writeString(aliased.resolve("x.txt"), "hi");
        Files.writeString(aliased.resolve(".hidden"), "dot");
        Files.writeString(Files.createDirectories(aliased.resolve("sub")).resolve("index.html"), "idx");
        Path cgi = aliased.resolve("env.cgi");
        Files.writeString(cgi, """
                #!/bin/sh
                printf 'Content-Type: text/plain\\r\\n\\r\\n'
                echo "SCRIPT_NAME=$SCRIPT_NAME"
                echo "PATH_INFO=$PATH_INFO"
                echo "SCRIPT_FILENAME=$SCRIPT_FILENAME"
                echo "DOCUMENT_ROOT=$DOCUMENT_ROOT"
                echo "PATH_TRANSLATED=$PATH_TRANSLATED"
                """);
        Files.setPosixFilePermissions(cgi, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path outside = Files.createDirectories(b.resolve("outside"));
        Files.writeString(outside.resolve("l.txt"), "linked");
        Files.createSymbolicLink(aliased.resolve("link"), outside);
        Files.writeString(Files.createDirectories(b.resolve("aliasedfoo")).resolve("f.txt"), "sibling");
        Files.writeString(Files.createDirectories(b.resolve("other")).resolve("x.txt"), "other");
        Files.writeString(Files.createDirectories(b.resolve("m1/m")).resolve("x.txt"), "first");
        Files.writeString(Files.createDirectories(b.resolve("m2")).resolve("x.txt"), "second");
        Files.writeString(Files.createDirectories(b.resolve("long")).resolve("x.txt"), "long");
        Files.writeString(Files.createDirectories(b.resolve("longer")).resolve("x.txt"), "longer");
    }

    /**
     * Host, request-target, status, and the body of a 200 (or the end of a 301's Location). Each line is what
     * lighttpd 1.4.69 answers for the config above ({@link #lighttpdGivesTheSameAnswers}).
     */
    static Stream<Arguments> answers() {
        return Stream.of(
                // a file through an alias; a missing one; its directory without and with the slash; the index file
                Arguments.of("t", "/files/x.txt", 200, "hi"),
                Arguments.of("t", "/files/missing.txt", 404, null),
                Arguments.of("t", "/files/sub", 301, "/files/sub/"),
                Arguments.of("t", "/files/sub?a=1", 301, "/files/sub/?a=1"),
                Arguments.of("t", "/files/sub/", 200, "idx"),
                // an index name starting with '/' is looked up in the document root, also below an alias
                Arguments.of("t", "/files/", 200, "root"),
                Arguments.of("t", "/plain", 301, "/plain/"),
                Arguments.of("t", "/plain/x.txt", 200, "hi"),
                Arguments.of("t", "/plain/sub/", 200, "idx"),
                Arguments.of("t", "/f", 301, "/f/"),
                Arguments.of("t", "/f/x.txt", 200, "hi"),
                Arguments.of("t", "/root.txt", 200, "root"), // no alias: the document root
                Arguments.of("t", "/F/x.txt", 404, null),   // prefixes match with case
                // PATH_INFO below an alias: a static file takes it, a CGI program sees it
                Arguments.of("t", "/files/x.txt/extra", 200, "hi"),
                // which entry wins: the first in config order whose prefix starts the path
                Arguments.of("t", "/long/er/x.txt", 200, "longer"),
                Arguments.of("t", "/long/x.txt", 200, "long"),
                Arguments.of("t", "/mm/x.txt", 200, "first"), // "/m" maps it to m1/ + "m/x.txt"; "/mm" never matches
                Arguments.of("t", "/zx.txt", 200, "other"), // ".../other/" + "x.txt": a prefix need not end a segment
                // target and rest are joined as text: "/r/" => ".../aliased" makes "/r/foo/" ".../aliasedfoo/"
                Arguments.of("t", "/r/foo/f.txt", 200, "sibling"),
                Arguments.of("t", "/r/x.txt", 404, null),
                Arguments.of("t", "/r/foo/f.txt/extra", 404, null), // no PATH_INFO when the prefix ends inside a name
                // the traversal guard: "/f" (no slash) => ".../aliased/" (slash)
                Arguments.of("t", "/f../secret.txt", 403, null),
                Arguments.of("t", "/f%2e%2e/secret.txt", 403, null),
                Arguments.of("t", "/f%2E%2e/secret.txt", 403, null),
                Arguments.of("t", "/f.%2e/secret.txt", 403, null),
                Arguments.of("t", "/f..", 403, null),
                Arguments.of("t", "/f./x.txt", 403, null),
                Arguments.of("t", "/f.", 403, null),
                Arguments.of("t", "/f.hidden", 200, "dot"),
                Arguments.of("t", "/f..hidden", 404, null),
                // the other shapes cannot climb; dot segments after a slash are resolved on the URL first
                Arguments.of("t", "/plain../secret.txt", 404, null),
                Arguments.of("t", "/plain%2e%2e/secret.txt", 404, null),
                Arguments.of("t", "/r/../secret.txt", 404, null),
                Arguments.of("t", "/files/../secret.txt", 404, null),
                Arguments.of("t", "/files/%2e%2e/secret.txt", 404, null),
                Arguments.of("t", "/files/%2e%2e/%2e%2e/secret.txt", 404, null),
                Arguments.of("t", "/files/..%2fsecret.txt", 404, null),
                Arguments.of("t", "/files/sub/../../secret.txt", 404, null),
                Arguments.of("t", "/files/link/../../secret.txt", 404, null),
                // symlinks below the target: followed by default, 403 with server.follow-symlink = "disable"
                Arguments.of("t", "/files/link/l.txt", 200, "linked"),
                Arguments.of("nolink", "/files/link/l.txt", 403, null),
                Arguments.of("nolink", "/files/link/", 403, null),
                Arguments.of("nolink", "/files/x.txt", 200, "hi"),
                Arguments.of("nolink", "/files/sub/", 200, "idx"),
                // an alias.url inside a condition replaces the list there, and only there
                Arguments.of("vhost", "/v/x.txt", 200, "other"),
                Arguments.of("vhost", "/files/x.txt", 404, null),
                Arguments.of("t", "/v/x.txt", 404, null));
    }

    @ParameterizedTest(name = "[{index}] Host {0}: {1} -> {2}")
    @MethodSource("answers")
    void lightgateAnswersAsLighttpd(String host, String target, int status, String body) throws Exception {
        check(server.port(), host, target, status, body);
    }

    @Test
    void lighttpdGivesTheSameAnswers() throws Exception {
        Lighttpd.assumeAvailable();
        Path dir = Files.createTempDirectory("lighttpd-alias");
        try (Lighttpd lighttpd = Lighttpd.start(dir, port -> """
                server.document-root = "%1$s/docroot"
                server.bind          = "127.0.0.1"
                server.port          = %2$d
                server.errorlog      = "%3$s/error.log"
                """.formatted(base, port, dir) + ALIASES.replace("@B@", base.toString()))) {
            for (Arguments a : answers().toList()) {
                Object[] x = a.get();
                check(lighttpd.port(), (String) x[0], (String) x[1], (int) x[2], (String) x[3]);
            }
            checkCgi(lighttpd.port());
        } finally {
            TempTrees.delete(dir);
        }
    }

    private static void check(int port, String host, String target, int status, String body) throws IOException {
        String what = "Host " + host + ": GET " + target;
        String raw = RawHttp.exchange(port, "GET " + target + " HTTP/1.1\r\nHost: " + host
                + "\r\nConnection: close\r\n\r\n", T);
        assertThat(raw).as(what).doesNotContain(SECRET);
        RawHttp.Response r = RawHttp.parse(raw);
        assertThat(r.status()).as(what).isEqualTo(status);
        if (status == 200) {
            assertThat(r.body()).as(what).isEqualTo(body);
        } else if (status == 301) {
            // the URL path, never the file-system path
            assertThat(r.header("location")).as(what).endsWith(body).doesNotContain(base.toString());
        }
        String head = RawHttp.exchange(port, "HEAD " + target + " HTTP/1.1\r\nHost: " + host
                + "\r\nConnection: close\r\n\r\n", T);
        assertThat(head).as("HEAD " + target).doesNotContain(SECRET);
        assertThat(RawHttp.parse(head).status()).as("HEAD " + target).isEqualTo(status);
    }

    @Test
    void aCgiProgramBelowAnAliasSeesTheAliasAsItsDocumentRoot() throws Exception {
        checkCgi(server.port());
    }

    /** As lighttpd: SCRIPT_NAME is the URL path, DOCUMENT_ROOT the target as written, the file below it. */
    private static void checkCgi(int port) throws IOException {
        RawHttp.Response r = RawHttp.parse(RawHttp.exchange(port,
                "GET /files/env.cgi/extra HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", T));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().lines()).containsExactly(
                "SCRIPT_NAME=/files/env.cgi",
                "PATH_INFO=/extra",
                "SCRIPT_FILENAME=" + base + "/aliased/env.cgi",
                "DOCUMENT_ROOT=" + base + "/aliased/",
                "PATH_TRANSLATED=" + base + "/aliased/extra");
    }

    @Test
    void theShadowedEntryLighttpdLetsPassIsWarned() {
        assertThat(server.errorLines("mod_alias"))
                .anyMatch(l -> l.contains("`/mm' will never match as `/m' matched first"));
    }

    @Test
    void aNeighbourShadowedByThePrefixBeforeItRefusesStartUp() {
        assertThatThrownBy(() -> TestServer.start("server.modules = ( \"mod_alias\" )\n"
                + "alias.url = ( \"/js\" => \"/usr/share/javascript\", \"/js/min\" => \"/srv/min\" )\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageMatching("(?s).*lighttpd\\.conf:\\d+:\\d+: alias\\.url.*")
                .hasMessageContaining("`/js/min' will never match as `/js' matched first");
        assertThatThrownBy(() -> TestServer.start("server.modules = ( \"mod_alias\" )\n"
                + "alias.url = ( \"/a\" => \"/x\" )\n"
                + "$HTTP[\"host\"] == \"h\" { alias.url += ( \"/a/b\" => \"/y\" ) }\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("`/a/b' will never match as `/a' matched first");
        assertThatThrownBy(() -> TestServer.start("server.modules = ( \"mod_alias\" )\n"
                + "alias.url = ( \"/a\" => 1 )\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("alias.url should have been a list of key => string values");
    }

    /** Debian's lighttpd.conf loads mod_alias and its conf-enabled/90-javascript-alias.conf adds to alias.url. */
    @Test
    void debiansAliasLinesStartAndServe() throws Exception {
        try (TestServer s = TestServer.start("""
                server.modules = (
                	"mod_indexfile",
                	"mod_alias",
                )
                index-file.names = ( "index.php", "index.html" )
                alias.url += ("/javascript" => "%1$s/other")
                server.modules += ( "mod_cgi" )
                $HTTP["url"] =~ "^/cgi-bin/" {
                	cgi.assign = ( "" => "" )
                	alias.url += ( "/cgi-bin/" => "%1$s/aliased/" )
                }
                server.modules += ( "mod_staticfile" )
                """.formatted(base))) {
            RawHttp.Response js = RawHttp.parse(RawHttp.exchange(s.port(),
                    "GET /javascript/x.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", T));
            assertThat(js.status()).isEqualTo(200);
            assertThat(js.body()).isEqualTo("other");
            RawHttp.Response cgi = RawHttp.parse(RawHttp.exchange(s.port(),
                    "GET /cgi-bin/env.cgi HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", T));
            assertThat(cgi.status()).isEqualTo(200);
            assertThat(cgi.body()).contains("SCRIPT_NAME=/cgi-bin/env.cgi", "DOCUMENT_ROOT=" + base + "/aliased/");
            assertThat(s.errorLines()).noneMatch(l -> l.contains("alias"));
        }
    }
}
