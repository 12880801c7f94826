package io.lightgate.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer thread between event loops and a log target that can stall: a real logger command
 * ({@code cat}) stopped with SIGSTOP, so its pipe fills and the thread blocks in write().
 */
class QueuedLogWriterTest {
    private static final long T = TimeUnit.SECONDS.toNanos(10);
    @TempDir
    Path dir;

    /** Records what the writer reports. */
    static final class Recorded implements QueuedLogWriter.Problems {
        final AtomicLong dropped = new AtomicLong();
        final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        final AtomicLong failedBytes = new AtomicLong();

        @Override
        public byte[] dropped(long lines) {
            dropped.addAndGet(lines);
            return ("dropped " + lines + "\n").getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public void failed(String message, byte[] data, int length) {
            failures.add(message);
            failedBytes.addAndGet(length);
        }
    }

    static void signal(String name, long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -%s %d", name, pid).isZero();
    }

    static void await(Supplier<Boolean> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + T;
        while (!condition.get() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(condition.get()).as(what).isTrue();
    }

    private static byte[] line(int i) {
        // ~100 bytes, so the pipe (64 KiB) takes a few hundred before it is full
        return String.format("line %06d %s%n", i, "x".repeat(88)).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void aStalledTargetNeverBlocksTheCallerAndEveryLineIsWrittenOrCountedAsDropped() throws Exception {
        Path out = dir.resolve("out.log");
        LogSink.PipeSink sink = LogSink.PipeSink.start("exec cat >> '" + out + "'");
        long pid = sink.pid();
        Recorded problems = new Recorded();
        int queue = 100;
        QueuedLogWriter writer = new QueuedLogWriter("|cat", sink, "test writer", problems, queue);
        signal("STOP", pid);
        int total = 5_000; // 500 KiB: far more than the pipe and the queue hold together
        Thread caller = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < total; i++) {
                writer.offer(line(i));
            }
        });
        caller.join(TimeUnit.NANOSECONDS.toMillis(T));
        boolean returned = !caller.isAlive();
        signal("CONT", pid);
        assertThat(returned).as("offer() returned for every line while the command was stopped").isTrue();

        // once the command reads again the queue drains and a later line is taken; the ones refused meanwhile
        // are counted as dropped like the others
        byte[] after = "after\n".getBytes(StandardCharsets.US_ASCII);
        long refused = 0;
        long deadline = System.nanoTime() + T;
        while (!writer.offer(after) && System.nanoTime() < deadline) {
            refused++;
            Thread.sleep(10);
        }
        await(() -> text(out).endsWith("after\n"), "the last line arrives");
        writer.stop();
        await(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), "the command got EOF and ended");

        List<String> lines = text(out).lines().toList();
        List<String> written = lines.stream().filter(l -> l.startsWith("line ")).toList();
        assertThat(written.size() + problems.dropped.get()).as("every line written or counted as dropped")
                .isEqualTo(total + refused);
        assertThat(problems.dropped.get()).as("the queue of " + queue + " overflowed")
                .isGreaterThan(total - 1_000);
        assertThat(written).as("in order").isSorted();
        List<String> notes = lines.stream().filter(l -> l.startsWith("dropped ")).toList();
        assertThat(notes.stream().mapToLong(l -> Long.parseLong(l.substring("dropped ".length()))).sum())
                .as("the notes in the target count the drops: " + notes).isEqualTo(problems.dropped.get());
        assertThat(lines).as("the note precedes the later line").containsSubsequence(notes.getLast(), "after");
        assertThat(problems.failures).isEmpty();
    }

    @Test
    void aTargetThatCannotBeOpenedIsReportedWithTheLinesItLost() throws Exception {
        Path missing = dir.resolve("no-such-dir").resolve("access.log");
        Recorded problems = new Recorded();
        QueuedLogWriter writer = new QueuedLogWriter(missing.toString(), null, "test writer", problems);
        writer.offer(line(1));
        writer.stop();
        assertThat(problems.failures).singleElement().asString()
                .startsWith("writing to " + missing + " failed: ");
        assertThat(problems.failedBytes.get()).isEqualTo(line(1).length);
    }

    @Test
    void reopenMovesToTheNewFileAfterRotation() throws Exception {
        Path log = dir.resolve("access.log");
        Recorded problems = new Recorded();
        QueuedLogWriter writer = new QueuedLogWriter(log.toString(), LogSink.open(log.toString()), "test writer",
                problems);
        writer.offer("one\n".getBytes(StandardCharsets.US_ASCII));
        await(() -> text(log).equals("one\n"), "the first line");
        Files.move(log, dir.resolve("access.log.1"));
        writer.requestReopen();
        writer.offer("two\n".getBytes(StandardCharsets.US_ASCII));
        writer.stop();
        assertThat(text(dir.resolve("access.log.1"))).isEqualTo("one\n");
        assertThat(text(log)).isEqualTo("two\n");
    }

    private static String text(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
