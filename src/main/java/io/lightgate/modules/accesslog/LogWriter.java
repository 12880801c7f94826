package io.lightgate.modules.accesslog;

import io.lightgate.log.ErrorLog;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One access log target and its writer thread. Event loops only {@link #offer} lines into a bounded
 * queue and never wait; the thread writes whatever has queued up in one go (so lines reach the file or
 * pipe within a second, batched under load). A full queue drops lines and the error log says how many.
 */
final class LogWriter {
    static final int QUEUE_LINES = 16_384;
    private static final byte[] STOP = new byte[0];

    private final String target;
    private final ErrorLog errorLog;
    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUE_LINES);
    private final AtomicLong dropped = new AtomicLong();
    private final Thread thread;
    private volatile boolean reopenRequested;
    private volatile boolean stopping;
    private LogSink sink;

    /** {@code opened} is the sink opened at start-up, or null to open it on the writer thread. */
    LogWriter(String target, LogSink opened, ErrorLog errorLog) {
        this.target = target;
        this.sink = opened;
        this.errorLog = errorLog;
        this.thread = Thread.ofPlatform().daemon().name("accesslog " + target).unstarted(this::run);
        thread.start();
    }

    String target() { return target; }

    /** Queues one line; never blocks. */
    void offer(byte[] line) {
        if (stopping || !queue.offer(line)) {
            dropped.incrementAndGet();
        }
    }

    void requestReopen() {
        reopenRequested = true;
    }

    /** Writes what is queued, closes the target (stopping and reaping a piped command) and ends the thread. */
    void stop() {
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
                    errorLog.write("mod_accesslog", "reopening " + target + " failed: " + e.getMessage());
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
            errorLog.write("mod_accesslog", "writing to " + target + " failed: " + e.getMessage());
        }
    }

    private void reportDrops() {
        long n = dropped.getAndSet(0);
        if (n > 0) {
            errorLog.write("mod_accesslog", n + " access log lines for " + target + " dropped (writer too slow)");
        }
    }
}
