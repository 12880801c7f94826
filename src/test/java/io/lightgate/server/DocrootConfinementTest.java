package io.lightgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.RawHttp;
import io.lightgate.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Nothing outside the document root is readable through the URL: every encoding of "..", slashes and
 * backslashes, absolute-form targets, NUL and overlong UTF-8 are tried over a raw socket against two real
 * servers (symlinks followed, lighttpd's default, and {@code server.follow-symlink = "disable"}). The secret
 * lives next to the document root; symlinks inside the root point at it. Following a symlink is the operator's
 * choice (served when enabled, 403 when disabled), but ".." is always resolved on the URL, never on the disk.
 */
@ExtendWith(LeakGuard.class)
class DocrootConfinementTest {
    private static final Duration T = Duration.ofSeconds(5);
    /** Unique bytes that only the files outside the document root hold. */
    private static final String SECRET = "SECRET-" + UUID.randomUUID();
    private static final String OUT = "@OUT@";

    private static TestServer following;
    private static TestServer notFollowing;

    @BeforeAll
    static void start() throws Exception {
        following = TestServer.start("index-file.names = (\"index.html\")\n");
        notFollowing = TestServer.start("index-file.names = (\"index.html\")\nserver.follow-symlink = \"disable\"\n");
        layOut(following);
        layOut(notFollowing);
    }

    @AfterAll
    static void stop() throws Exception {
        if (following != null) {
            following.close();
        }
        if (notFollowing != null) {
            notFollowing.close();
        }
    }

    /**
     * dir/secret.txt, dir/public.txt and dir/outside/secret-in-dir.txt hold the secret; the document root
     * (dir/docroot) holds index.txt, public.txt, symlinks to the secret (absolute and relative), a symlinked
     * directory to dir/outside, and site/index.html, a symlink to the secret.
     */
    private static void layOut(TestServer s) throws IOException {
        Path dir = s.dir();
        Path docroot = s.docroot();
        assertThat(docroot.getParent()).isEqualTo(dir);
        Files.writeString(dir.resolve("secret.txt"), SECRET);
        // what a ".." resolved on the disk after docroot/linkdir would read instead of docroot/public.txt
        Files.writeString(dir.resolve("public.txt"), SECRET);
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("secret-in-dir.txt"), SECRET);

        Files.writeString(docroot.resolve("index.txt"), "hello\n");
        Files.writeString(docroot.resolve("public.txt"), "public\n");
        Files.createSymbolicLink(docroot.resolve("link.txt"), dir.resolve("secret.txt"));
        Files.createSymbolicLink(docroot.resolve("rel-link.txt"), Path.of("../secret.txt"));
        Files.createSymbolicLink(docroot.resolve("linkdir"), outside);
        Path site = Files.createDirectories(docroot.resolve("site"));
        Files.createSymbolicLink(site.resolve("index.html"), dir.resolve("secret.txt"));
    }

    /**
     * Request-targets that try to leave the document root, with lightgate's answer. {@code @OUT@} stands for the
     * absolute path (without its leading '/') of the directory holding the document root and the secret.
     */
    static Stream<Arguments> escapes() {
        return Stream.of(
                // plain dot segments, sent raw (no client normalises them)
                Arguments.of("/../secret.txt", 404),
                Arguments.of("/../../../../../../../../" + OUT + "/secret.txt", 404),
                Arguments.of("/index.txt/../../secret.txt", 404),
                Arguments.of("/./../secret.txt", 404),
                Arguments.of("/.././.././secret.txt", 404),
                // percent-encoded dots and slashes: decoded first, then resolved, so still clamped at "/"
                Arguments.of("/%2e%2e/secret.txt", 404),
                Arguments.of("/%2E%2E%2Fsecret.txt", 404),
                Arguments.of("/%2E%2e%2fsecret.txt", 404),
                Arguments.of("/..%2fsecret.txt", 404),
                Arguments.of("/%2f..%2f..%2fsecret.txt", 404),
                Arguments.of("/.%2e/secret.txt", 404),
                Arguments.of("/%2e./secret.txt", 404),
                Arguments.of("/%2e%2e%2f%2e%2e%2f%2e%2e%2fsecret.txt", 404),
                // double encoding is decoded once only: "%2e%2e%2fsecret.txt" is a file name
                Arguments.of("/%252e%252e%252fsecret.txt", 404),
                Arguments.of("/%252e%252e/secret.txt", 404),
                // a backslash is an ordinary character on POSIX, raw or encoded
                Arguments.of("/..\\secret.txt", 404),
                Arguments.of("/..\\..\\secret.txt", 404),
                Arguments.of("/%5c..%5csecret.txt", 404),
                Arguments.of("/..%5csecret.txt", 404),
                Arguments.of("/%2e%2e%5csecret.txt", 404),
                // repeated slashes and absolute file-system paths stay below the document root
                Arguments.of("//../secret.txt", 404),
                Arguments.of("///..//..//secret.txt", 404),
                Arguments.of("/" + OUT + "/secret.txt", 404),
                Arguments.of("//" + OUT + "/secret.txt", 404),
                Arguments.of("/%2f" + OUT + "/secret.txt", 404),
                Arguments.of("/%2f%2f" + OUT + "/secret.txt", 404),
                // absolute-form request-targets get the same path treatment
                Arguments.of("http://a/../secret.txt", 404),
                Arguments.of("http://a/%2e%2e/%2e%2e/secret.txt", 404),
                Arguments.of("http://a/./..%2fsecret.txt", 404),
                Arguments.of("http://a//" + OUT + "/secret.txt", 404),
                // an encoded NUL is refused outright
                Arguments.of("/%00../secret.txt", 400),
                Arguments.of("/../secret.txt%00", 400),
                Arguments.of("/../secret.txt%00.html", 400),
                Arguments.of("/index.txt%00/../../secret.txt", 400),
                // overlong UTF-8 for '.' and '/' is not a dot or a slash
                Arguments.of("/%c0%ae%c0%ae/secret.txt", 404),
                Arguments.of("/%c0%ae%c0%ae%c0%afsecret.txt", 404),
                Arguments.of("/%e0%80%ae%e0%80%ae/secret.txt", 404),
                // ".." after a symlinked directory is resolved on the URL ("/secret.txt"), not on the disk
                Arguments.of("/linkdir/../../secret.txt", 404),
                Arguments.of("/linkdir/../secret.txt", 404),
                Arguments.of("/linkdir/%2e%2e/secret.txt", 404));
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @MethodSource("escapes")
    void noRequestTargetReadsOutsideTheDocumentRoot(String targetTemplate, int expectedStatus) throws Exception {
        for (TestServer s : new TestServer[] {following, notFollowing}) {
            String target = targetTemplate.replace(OUT, s.dir().toString().substring(1));
            String raw = get(s, target, "GET");
            assertThat(raw).as("GET %s (follow-symlink %s)", target, s == following).doesNotContain(SECRET);
            RawHttp.Response r = RawHttp.parse(raw);
            assertThat(r.status()).as("GET %s (follow-symlink %s)", target, s == following)
                    .isNotEqualTo(200).isEqualTo(expectedStatus);
            // the same with HEAD: no body, but also no 200 that would confirm the file
            String head = get(s, target, "HEAD");
            assertThat(head).doesNotContain(SECRET);
            assertThat(RawHttp.parse(head).status()).isEqualTo(expectedStatus);
            // refused requests are logged in one line, never with a stack trace
            assertThat(s.errorLines()).noneMatch(l -> l.contains("Exception") || l.startsWith("\tat "));
        }
    }

    @Test
    void aRawNulByteInTheRequestLineIsRefused() throws Exception {
        for (TestServer s : new TestServer[] {following, notFollowing}) {
            String raw = RawHttp.exchange(s.port(),
                    "GET /\0../secret.txt HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", T);
            assertThat(raw).doesNotContain(SECRET);
            assertThat(RawHttp.parse(raw).status()).isEqualTo(400);
        }
    }

    @Test
    void theDocumentRootItselfIsServed() throws Exception {
        // the positive control: the same server does serve files below the document root
        for (TestServer s : new TestServer[] {following, notFollowing}) {
            RawHttp.Response r = RawHttp.parse(get(s, "/index.txt", "GET"));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("hello\n");
            RawHttp.Response encoded = RawHttp.parse(get(s, "/%69ndex%2etxt", "GET"));
            assertThat(encoded.status()).isEqualTo(200);
            assertThat(encoded.body()).isEqualTo("hello\n");
        }
    }

    @Test
    void dotDotAfterASymlinkedDirectoryIsResolvedOnTheUrl() throws Exception {
        // on the disk docroot/linkdir/.. is the directory holding the secret public.txt; on the URL it is "/"
        for (TestServer s : new TestServer[] {following, notFollowing}) {
            for (String target : new String[] {"/linkdir/../public.txt", "/linkdir/%2e%2e/public.txt",
                    "/linkdir/..%2fpublic.txt", "http://a/linkdir/../public.txt"}) {
                String raw = get(s, target, "GET");
                assertThat(raw).as(target).doesNotContain(SECRET);
                RawHttp.Response r = RawHttp.parse(raw);
                assertThat(r.status()).as(target).isEqualTo(200);
                assertThat(r.body()).as(target).isEqualTo("public\n");
            }
        }
    }

    /** Symlinks inside the document root: lighttpd follows them by default (the operator put them there). */
    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("symlinkTargets")
    void symlinksAreFollowedByDefault(String target) throws Exception {
        RawHttp.Response r = RawHttp.parse(get(following, target, "GET"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(SECRET);
    }

    /** With server.follow-symlink = "disable" any symlink on the path gives 403, whatever else the request asks. */
    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("symlinkTargets")
    void symlinksAreRefusedWhenDisabled(String target) throws Exception {
        for (String method : new String[] {"GET", "HEAD", "POST"}) {
            String raw = get(notFollowing, target, method);
            assertThat(raw).as(method + " " + target).doesNotContain(SECRET);
            assertThat(RawHttp.parse(raw).status()).as(method + " " + target).isEqualTo(403);
        }
        String ranged = RawHttp.exchange(notFollowing.port(), "GET " + target + " HTTP/1.1\r\nHost: a\r\n"
                + "Range: bytes=0-5\r\nConnection: close\r\n\r\n", T);
        assertThat(ranged).doesNotContain(SECRET.substring(0, 6));
        assertThat(RawHttp.parse(ranged).status()).isEqualTo(403);
    }

    static Stream<String> symlinkTargets() {
        return Stream.of("/link.txt", "/rel-link.txt", "/linkdir/secret-in-dir.txt", "/%6cink.txt",
                "/linkdir%2fsecret-in-dir.txt", "/./linkdir//secret-in-dir.txt", "http://a/link.txt");
    }

    @Test
    void aSymlinkedIndexFileIsServedByDefault() throws Exception {
        RawHttp.Response r = RawHttp.parse(get(following, "/site/", "GET"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(SECRET);
    }

    /**
     * The index file mod_indexfile picks for "/site/" is a symlink: lighttpd opens the file it sends with
     * O_NOFOLLOW when symlinks are disabled (http_response_send_file), so the answer is 403.
     */
    @Test
    void aSymlinkedIndexFileIsRefusedWhenDisabled() throws Exception {
        for (String target : new String[] {"/site/index.html", "/site/", "/site/?x=1", "/%73ite/"}) {
            String raw = get(notFollowing, target, "GET");
            assertThat(raw).as(target).doesNotContain(SECRET);
            assertThat(RawHttp.parse(raw).status()).as(target).isEqualTo(403);
        }
    }

    @Test
    void pathInfoBehindASymlinkIsRefusedWhenDisabled() throws Exception {
        String raw = get(notFollowing, "/link.txt/extra", "GET");
        assertThat(raw).doesNotContain(SECRET);
        assertThat(RawHttp.parse(raw).status()).isEqualTo(403);
    }

    /** One request on its own connection; the whole raw answer (head and body). */
    private static String get(TestServer s, String target, String method) throws IOException {
        String body = method.equals("POST") ? "Content-Length: 0\r\n" : "";
        String raw = RawHttp.exchange(s.port(),
                method + " " + target + " HTTP/1.1\r\nHost: a\r\n" + body + "Connection: close\r\n\r\n", T);
        assertThat(raw).as(method + " " + target + " answered").doesNotContain("<<timeout>>");
        return raw;
    }
}
