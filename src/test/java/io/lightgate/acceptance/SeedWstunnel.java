package io.lightgate.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lightgate.testing.Children;
import io.lightgate.testing.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * The seed's {@code lighttpd-wstunnel.conf} (from ../shared/seed/samples, as CliIT reads it) with only paths and
 * the port substituted: the document root becomes a temp dir holding a copy of the seed's count.html, the socket
 * a temp socket, bin-path a temp executable copy of one of the seed's echo programs, and the port 0. The
 * substitution is checked: every other line is the seed's line unchanged.
 */
final class SeedWstunnel {
    static final Path SEED = Path.of("..", "shared", "seed", "samples").toAbsolutePath().normalize();
    static final Path CONF = SEED.resolve("conf").resolve("lighttpd-wstunnel.conf");

    /** The seed's echo programs. */
    enum Program {
        ECHO("echo.pl"), ECHO_INCREMENTAL("echo-incremental.pl");

        final String file;

        Program(String file) {
            this.file = file;
        }
    }

    final Path docroot;
    final Path socket;
    final Path program;
    final String configText;

    private SeedWstunnel(Path docroot, Path socket, Path program, String configText) {
        this.docroot = docroot;
        this.socket = socket;
        this.program = program;
        this.configText = configText;
    }

    /**
     * Skips the calling test when ../shared is not beside the checkout (a clone elsewhere); under CI (env CI
     * set) that is a failure, since CI must run the seed's example.
     */
    static void assumeSeedPresent() {
        if (Files.isRegularFile(CONF)) {
            return;
        }
        String why = "the seed " + CONF + " is missing (../shared is not beside this checkout)";
        if (System.getenv("CI") != null) {
            fail(why + " but CI is set: the seed's wstunnel example must run in CI");
        }
        assumeTrue(false, why + ": skipping the seed acceptance test");
    }

    /** Prepares the files in {@code dir} and the substituted config text (assertions included). */
    static SeedWstunnel prepare(Path dir, Program which) throws IOException {
        assumeSeedPresent();
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/perl")) || System.getenv("CI") != null,
                "the seed's echo programs need /usr/bin/perl");
        Path docroot = Files.createDirectories(dir.resolve("docroot"));
        Files.copy(SEED.resolve("docroot").resolve("count.html"), docroot.resolve("count.html"));
        Path program = dir.resolve(which.file);
        Files.copy(SEED.resolve(which.file), program);
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwx------"));
        Path socket = dir.resolve("echo.sock");

        String original = Files.readString(CONF, StandardCharsets.UTF_8);
        String text = substitute(original, docroot, socket, program);
        // the four substituted lines differ, every other line is the seed's unchanged
        SeedConfigText.assertOnlyLinesChanged(original, text, b -> b.startsWith("server.document-root = ")
                || b.startsWith("server.port = ") || b.contains("\"/tmp/echo.sock\"")
                || b.contains("\"/tmp/echo.pl\""), 4);
        assertThat(text).contains("server.bind = \"127.0.0.1\"");
        return new SeedWstunnel(docroot, socket, program, text);
    }

    /** Textual substitution of the seed's paths and port; each must occur exactly once. */
    static String substitute(String original, Path docroot, Path socket, Path program) {
        String t = SeedConfigText.replaceOnce(original, "server.document-root = \"/tmp\"", "server.document-root = \"" + docroot + "\"");
        t = SeedConfigText.replaceOnce(t, "\"/tmp/echo.sock\"", "\"" + socket + "\"");
        t = SeedConfigText.replaceOnce(t, "\"/tmp/echo.pl\"", "\"" + program + "\"");
        return SeedConfigText.replaceOnce(t, "server.port = 8081", "server.port = 0");
    }

    TestServer start() throws Exception {
        return TestServer.start(configText);
    }

    /** Our child process running the copied program. */
    Optional<ProcessHandle> runningChild() {
        return Children.running(program);
    }
}
