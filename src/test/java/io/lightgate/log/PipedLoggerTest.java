package io.lightgate.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Logger commands ("|command") with real /bin/sh children. */
class PipedLoggerTest {
    @TempDir
    Path dir;

    private static byte[] line(String text) {
        return (text + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static void awaitExit(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (alive(pid) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(alive(pid)).as("logger pid %d exited", pid).isFalse();
    }

    @Test
    void linesReachTheCommandAndCloseEndsIt() throws Exception {
        Path out = dir.resolve("out.log");
        PipedLogger logger = PipedLogger.start("exec cat >> '" + out + "'");
        long pid = logger.pid();
        byte[] one = line("one");
        logger.write(one, 0, one.length);
        byte[] two = line("xtwox");
        logger.write(two, 1, 4);
        logger.close();
        awaitExit(pid);
        assertThat(Files.readString(out)).isEqualTo("one\ntwox");
    }

    @Test
    void aLoggerThatExitedIsStartedAgainAtTheNextWrite() throws Exception {
        Path out = dir.resolve("out.log");
        // reads one line and exits, as a logger that crashed would
        PipedLogger logger = PipedLogger.start("read -r l; echo \"$l\" >> '" + out + "'");
        long first = logger.pid();
        byte[] one = line("first");
        logger.write(one, 0, one.length);
        awaitExit(first);
        byte[] two = line("second");
        logger.write(two, 0, two.length);
        long second = logger.pid();
        assertThat(second).isNotEqualTo(first);
        logger.close();
        awaitExit(second);
        assertThat(Files.readString(out)).isEqualTo("first\nsecond\n");
    }
}
