package io.lightgate.log;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One log target and its writer thread, for targets that can stall: a logger command stops reading, a file
 * sits on a slow disk. Event loops only {@link #offer} lines into a bounded queue and never wait; the thread
 * writes whatever has queued up in one go (so lines reach the target within a second, batched under load). A
 * full queue drops lines, and the owner's {@link Problems} hears how many once the thread catches up.
 */
public final class QueuedLogWriter {
    /** Lines the queue holds before it drops; at ~200 bytes a line, a few MiB. */
    public static final int QUEUE_LINES = 16_384;
    private static final byte[] STOP = new byte[0];

    /** What the owner does about lines that could not be written. Called on the writer thread. */
    public interface Problems {
        /**
         * {@code lines} were dropped because the queue was full; returns a line for this target itself, written
         * before the next lines, or null when the owner reports it elsewhere.
         */
        byte[] dropped(long lines);

        /** Writing {@code data[0, length)} to the target failed with {@code message}. */
        void failed(String message, byte[] data, int length);
    }

    private final String target;
    private final Problems problems;
    private final BlockingQueue<byte[]> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread thread;
    private volatile boolean reopenRequested;
    private volatile boolean stopping;
    private LogSink sink;

    /**
     * {@code opened} is the sink opened at start-up (so an error there stops start-up), or null to open
     * {@code target} ({@link LogSink#open}) on the writer thread at the first line. {@code threadName} names the
     * writer thread.
     */
    public QueuedLogWriter(String target, LogSink opened, String threadName, Problems problems) {
        this(target, opened, threadName, problems, QUEUE_LINES);
    }

    QueuedLogWriter(String target, LogSink opened, String threadName, Problems problems, int queueLines) {
        this.target = target;
        this.sink = opened;
        this.problems = problems;
        this.queue = new ArrayBlockingQueue<>(queueLines);
        this.thread = Thread.ofPlatform().daemon().name(threadName).unstarted(this::run);
        thread.start();
    }

    public String target() { return target; }

    /** Queues one line (or several whole lines); never blocks. False when the line was dropped (and counted). */
    public boolean offer(byte[] line) {
        if (stopping || !queue.offer(line)) {
            dropped.incrementAndGet();
            return false;
        }
        return true;
    }

    /** SIGHUP: the thread reopens a file target before its next write. */
    public void requestReopen() {
        reopenRequested = true;
    }

    /**
     * Writes what is queued, closes the target (a logger command gets EOF and is reaped) and ends the thread;
     * waits at most 10 s for a stuck target.
     */
    public void stop() {
        stopping = true;
        while (!queue.offer(STOP)) {
            queue.poll(); // full: make room for the marker rather than wait on a stuck target
            dropped.incrementAndGet();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        List<byte[]> batch = new ArrayList<>();
        byte[] buffer = new byte[64 * 1024];
        boolean done = false;
        while (!done) {
            byte[] first;
            try {
                first = queue.poll(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                first = STOP;
            }
            reportDrops();
            if (reopenRequested && sink != null) {
                reopenRequested = false;
                try {
                    sink.reopen();
                } catch (IOException e) {
                    problems.failed("reopening " + target + " failed: " + e.getMessage(), new byte[0], 0);
                }
            }
            if (first == null) {
                continue;
            }
            batch.clear();
            batch.add(first);
            queue.drainTo(batch);
            int length = 0;
            for (byte[] line : batch) {
                if (line == STOP) {
                    done = true;
                    break;
                }
                if (length + line.length > buffer.length) {
                    write(buffer, length);
                    length = 0;
                    if (line.length > buffer.length) {
                        buffer = new byte[line.length];
                    }
                }
                System.arraycopy(line, 0, buffer, length, line.length);
                length += line.length;
            }
            write(buffer, length);
        }
        reportDrops();
        if (sink != null) {
            sink.close();
        }
    }

    private void write(byte[] buffer, int length) {
        if (length == 0) {
            return;
        }
        try {
            if (sink == null) {
                sink = LogSink.open(target);
            }
            sink.write(buffer, length);
        } catch (IOException e) {
            problems.failed("writing to " + target + " failed: " + e.getMessage(), buffer, length);
        }
    }

    private void reportDrops() {
        long n = dropped.getAndSet(0);
        if (n > 0) {
            byte[] note = problems.dropped(n);
            if (note != null) {
                write(note, note.length);
            }
        }
    }
}
