package io.lightgate.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lightgate.testing.Children;
import io.lightgate.testing.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The seed's cgi.conf, scgi.conf and fastcgi.conf snippets, each after a minimal server block written here
 * (document root, bind 127.0.0.1, port 0), with only paths substituted and the missing comma after "bin-path"
 * added; the document root is a copy of the seed's docroot plus the project's examples/cgi/ws-echo.pl in ws/,
 * and the seed's ws_echo.html has only its ws URL line changed to reach ws-echo.pl on this server. For SCGI and
 * FastCGI, bin-path is a wrapper script that execs this JVM's java on the test class path with {@code
 * io.lightgate.Main scgi-cgi} (or {@code fcgi-cgi}). Every substitution is proven by a line diff.
 */
final class SeedCgiFamily {
    static final Path SEED_CONF = SeedWstunnel.SEED.resolve("conf");
    static final Path SEED_DOCROOT = SeedWstunnel.SEED.resolve("docroot");
    static final Path WS_ECHO_PL = Path.of("examples", "cgi", "ws-echo.pl").toAbsolutePath();
    static final String SEED_WS_LINE = "        var host = \"ws://\" + window.location.hostname + \"/ws/ws_echo.py\";";
    static final String OUR_WS_LINE = "        var host = \"ws://\" + window.location.host + \"/ws/ws-echo.pl\";";

    /** The three ways the seed reaches a CGI program. */
    enum Route {
        CGI("cgi.conf", null), SCGI("scgi.conf", "scgi-cgi"), FASTCGI("fastcgi.conf", "fcgi-cgi");

        final String conf;
        /** The lightgate subcommand bin-path runs, null for mod_cgi. */
        final String helper;

        Route(String conf, String helper) {
            this.conf = conf;
            this.helper = helper;
        }
    }

    final Route route;
    final Path docroot;
    /** The bin-path wrapper (null for mod_cgi); the helper's command line names it, see {@link #runningHelper}. */
    final Path wrapper;
    final String configText;

    private SeedCgiFamily(Route route, Path docroot, Path wrapper, String configText) {
        this.route = route;
        this.docroot = docroot;
        this.wrapper = wrapper;
        this.configText = configText;
    }

    static void assumeReady() {
        SeedWstunnel.assumeSeedPresent();
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/perl")) || System.getenv("CI") != null,
                "ws-echo.pl needs /usr/bin/perl");
    }

    /** Prepares docroot, wrapper and config text in {@code dir} (assertions on every substitution included). */
    static SeedCgiFamily prepare(Path dir, Route route) throws IOException {
        assumeReady();
        Path docroot = copyDocroot(dir.resolve("docroot"));
        String original = Files.readString(SEED_CONF.resolve(route.conf), StandardCharsets.UTF_8);
        String snippet = original;
        Path wrapper = null;
        if (route.helper != null) {
            wrapper = writeWrapper(dir, route.helper);
            String socketName = route == Route.SCGI ? "scgi-ws.sock" : "fcgi-ws.sock";
            snippet = SeedConfigText.replaceOnce(snippet, "\"/tmp/" + socketName + "\"",
                    "\"" + dir.resolve(socketName) + "\"");
            snippet = SeedConfigText.replaceOnce(snippet, "\"/usr/local/bin/" + route.helper + "\"  #",
                    "\"" + wrapper + "\",  #");
            SeedConfigText.assertOnlyLinesChanged(original, snippet,
                    l -> l.contains("\"/tmp/" + socketName + "\"") || l.contains("\"bin-path\""), 2);
            assertThat(snippet).as("the comma after bin-path is the only syntax change")
                    .contains("\"bin-path\" => \"" + wrapper + "\",  # modify path to " + route.helper);
        } else {
            assertThat(snippet).isEqualTo(original);
        }
        String serverBlock = "server.document-root = \"" + docroot + "\"\n"
                + "server.bind = \"127.0.0.1\"\n"
                + "server.port = 0\n";
        return new SeedCgiFamily(route, docroot, wrapper, serverBlock + snippet);
    }

    /** The seed's docroot (ws_echo.html with its ws line substituted) plus ws/ws-echo.pl, scripts executable. */
    static Path copyDocroot(Path docroot) throws IOException {
        Files.createDirectories(docroot.resolve("ws"));
        try (Stream<Path> files = Files.walk(SEED_DOCROOT)) {
            for (Path from : files.filter(Files::isRegularFile).toList()) {
                Path to = docroot.resolve(SEED_DOCROOT.relativize(from).toString());
                Files.createDirectories(to.getParent());
                Files.copy(from, to);
            }
        }
        Path html = docroot.resolve("ws_echo.html");
        String seedPage = Files.readString(html, StandardCharsets.UTF_8);
        String page = SeedConfigText.replaceOnce(seedPage, SEED_WS_LINE, OUR_WS_LINE);
        SeedConfigText.assertOnlyLinesChanged(seedPage, page, SEED_WS_LINE::equals, 1);
        Files.writeString(html, page, StandardCharsets.UTF_8);
        Files.copy(WS_ECHO_PL, docroot.resolve("ws").resolve("ws-echo.pl"));
        executable(docroot.resolve("ws").resolve("ws-echo.pl"));
        executable(docroot.resolve("ws").resolve("ws_echo.py"));
        return docroot;
    }

    static void executable(Path file) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** A shell script that execs this JVM's java running {@code io.lightgate.Main <subcommand>}. */
    static Path writeWrapper(Path dir, String subcommand) throws IOException {
        Path wrapper = dir.resolve(subcommand + ".sh");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // the marker names the wrapper in the helper's command line so that the test can find the process
        List<String> argv = List.of(java, "-Dlightgate.wrapper=" + wrapper, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "io.lightgate.Main", subcommand);
        StringBuilder text = new StringBuilder("#!/bin/sh\nexec");
        for (String word : argv) {
            text.append(" '").append(word.replace("'", "'\\''")).append('\'');
        }
        Files.writeString(wrapper, text.append('\n').toString());
        executable(wrapper);
        return wrapper;
    }

    TestServer start() throws Exception {
        return TestServer.start(configText);
    }

    /** The helper program bin-path spawned (a child of this JVM), if running. */
    Optional<ProcessHandle> runningHelper() {
        return wrapper == null ? Optional.empty() : Children.running(wrapper);
    }
}
