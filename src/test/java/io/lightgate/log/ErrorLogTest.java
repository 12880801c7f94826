package io.lightgate.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The error log's targets, with real files and a real logger command. */
class ErrorLogTest {
    @TempDir
    Path dir;

    private static Set<Long> children() {
        try (var s = ProcessHandle.current().children()) {
            return s.filter(ProcessHandle::isAlive).map(ProcessHandle::pid).collect(Collectors.toSet());
        }
    }

    private static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aFileGetsWholeLinesInLighttpdsFormatAtOnce() throws Exception {
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        ErrorLog log = new ErrorLog(new PrintStream(stderr, true, StandardCharsets.UTF_8));
        Path file = dir.resolve("error.log");
        log.openFile(file);
        log.write("server", "hello");
        assertThat(Files.readString(file)).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d: \\(server\\) hello\n");
        log.close();
        log.write("server", "after close");
        assertThat(stderr.toString(StandardCharsets.UTF_8)).endsWith(": (server) after close\n");
    }

    @Test
    void aLoggerCommandThatStopsReadingNeverBlocksAWriterAndTheLogSaysWhatWasDropped() throws Exception {
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        ErrorLog log = new ErrorLog(new PrintStream(stderr, true, StandardCharsets.UTF_8));
        Path file = dir.resolve("error.log");
        Set<Long> before = children();
        log.openPipe("exec cat >> '" + file + "'");
        List<Long> started = children().stream().filter(pid -> !before.contains(pid)).toList();
        assertThat(started).as("one logger command").hasSize(1);
        long logger = started.getFirst();
        assertThat(log.pipeCommand()).isEqualTo("exec cat >> '" + file + "'");

        QueuedLogWriterTest.signal("STOP", logger);
        // more than the pipe (64 KiB) and the queue together: with a blocking write the loop would hang here
        int total = QueuedLogWriter.QUEUE_LINES + 10_000;
        String padding = "x".repeat(80);
        Thread loop = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < total; i++) {
                log.write("test", i + " " + padding);
            }
        });
        loop.join(10_000);
        boolean returned = !loop.isAlive();
        QueuedLogWriterTest.signal("CONT", logger);
        assertThat(returned).as("write() returned for every line while the logger was stopped").isTrue();

        // once the logger reads again the queue drains and a later line gets through; the ones dropped
        // meanwhile are counted in the notes like the others
        int lastLines = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        do {
            log.write("test", "last");
            lastLines++;
            Thread.sleep(10);
        } while (!text(file).contains("(test) last") && System.nanoTime() < deadline);
        log.close(); // drains the queue, then EOF: the logger ends and is reaped
        QueuedLogWriterTest.await(() -> ProcessHandle.of(logger).map(p -> !p.isAlive()).orElse(true),
                "the logger got EOF and ended");

        List<String> lines = Files.readAllLines(file);
        long written = lines.stream().filter(l -> l.contains(" (test) ") && l.endsWith(padding)).count();
        List<String> notes = lines.stream().filter(l -> l.contains("(errorlog) ")).toList();
        long dropped = notes.stream().mapToLong(note -> Long.parseLong(
                note.replaceAll(".*\\(errorlog\\) (\\d+) error log lines dropped: the logger command did not read "
                        + "them in time", "$1"))).sum();
        long lastWritten = lines.stream().filter(l -> l.endsWith("(test) last")).count();
        assertThat(lastWritten).as("a line written after the logger reads again arrives").isPositive();
        assertThat(written + lastWritten + dropped).as("each line written or counted in: " + notes)
                .isEqualTo(total + lastLines);
        assertThat(dropped).isGreaterThan(0);
        assertThat(lines.getLast()).endsWith("(test) last");
        assertThat(stderr.toString(StandardCharsets.UTF_8)).as("nothing fell back to stderr").isEmpty();
    }
}
