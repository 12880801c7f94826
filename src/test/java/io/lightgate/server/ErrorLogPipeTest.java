package io.lightgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.RawHttp;
import io.lightgate.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code server.errorlog = "|command"}: lighttpd's piped error log, with a real server and a real logger
 * command that appends what it reads to a file.
 */
class ErrorLogPipeTest {
    private static final Duration T = Duration.ofSeconds(10);
    @TempDir
    Path dir;

    private static Set<Long> children() {
        try (var s = ProcessHandle.current().children()) {
            return s.filter(ProcessHandle::isAlive).map(ProcessHandle::pid).collect(Collectors.toSet());
        }
    }

    private static void await(Supplier<Boolean> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + T.toNanos();
        while (!condition.get() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(condition.get()).as(what).isTrue();
    }

    private static String text(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void everyLineGoesToTheCommandWhichLivesAcrossARestartAndEndsWithTheServer() throws Exception {
        Set<Long> before = children();
        // outside the server's scratch directory, which its close removes
        Path log = dir.resolve("error.log");
        String config = "server.errorlog = \"|exec cat >> '" + log + "'\"\n";
        TestServer server = TestServer.start(config);
        List<Long> started = children().stream().filter(pid -> !before.contains(pid)).toList();
        assertThat(started).as("one logger command started").hasSize(1);
        long logger = started.getFirst();
        try {
            // a refused request writes one error-log line
            String answer = RawHttp.exchange(server.port(), "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", T);
            assertThat(answer).startsWith("HTTP/1.1 400");
            await(() -> text(log).contains("(server) server started") && text(log).contains("(h1) "),
                    "the start line and the refusal in " + log + ": " + text(log));
            assertThat(server.errorLines()).as("nothing went to stderr").isEmpty();

            server.restart(config);
            await(() -> text(log).contains("graceful restart"), "the restart note in the log: " + text(log));
            assertThat(ProcessHandle.of(logger).map(ProcessHandle::isAlive)).as("the same logger after a restart")
                    .contains(true);
        } finally {
            server.close();
        }
        await(() -> ProcessHandle.of(logger).map(p -> !p.isAlive()).orElse(true),
                "the logger (pid " + logger + ") got EOF and ended with the server");
        assertThat(text(log).lines().filter(l -> l.contains("(h1) ")).count()).as("no line lost or doubled")
                .isEqualTo(1);
    }
}
