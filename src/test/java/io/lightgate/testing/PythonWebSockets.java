package io.lightgate.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Debian's python3-websockets for the test tools: the interpreter (/usr/bin/python3; a python3 earlier on
 * PATH may be a pyenv build without the package), whether the package is there, and the bundled scripts.
 */
final class PythonWebSockets {
    static final Path PYTHON = Path.of("/usr/bin/python3");
    private static volatile Boolean available;

    private PythonWebSockets() {
    }

    /** True when /usr/bin/python3 can import websockets (checked once). */
    static boolean available() {
        Boolean a = available;
        if (a == null) {
            a = Files.isExecutable(PYTHON) && importsWebsockets();
            available = a;
        }
        return a;
    }

    private static boolean importsWebsockets() {
        try {
            Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import websockets")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Skips the calling test without python3-websockets, except under CI (env CI set): there it fails. */
    static void assumeAvailable() {
        if (available()) {
            return;
        }
        if (System.getenv("CI") != null) {
            fail("/usr/bin/python3 cannot import websockets but CI is set: .ci/run must install python3-websockets");
        }
        assumeTrue(false, "python3-websockets is not installed (apt-get install python3-websockets)");
    }

    /** Copies a bundled script (a test resource next to this class) into {@code dir}. */
    static Path script(String name, Path dir) {
        try (InputStream in = PythonWebSockets.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            Path file = dir.resolve(name);
            Files.copy(in, file);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
