package io.lightgate.log;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;

/**
 * A logger command, lighttpd's {@code "|command"} for {@code server.errorlog} and {@code accesslog.filename}:
 * run with {@code /bin/sh -c}, fed log lines on its standard input; its own output and errors go where
 * lightgate's go. A logger that died is started again at the next write, as lighttpd restarts piped loggers.
 * Closing sends EOF, waits briefly, then terminates it; the child is reaped (the JDK's process reaper).
 * Not thread-safe: its owner serialises the calls.
 */
public final class PipedLogger implements AutoCloseable {
    private static final long EXIT_WAIT_MILLIS = 2000;

    private final String command;
    private Process process;
    private OutputStream stdin;

    private PipedLogger(String command) {
        this.command = command;
    }

    /** Starts {@code command} (the text after the '|'). */
    public static PipedLogger start(String command) throws IOException {
        PipedLogger logger = new PipedLogger(command);
        logger.spawn();
        return logger;
    }

    private void spawn() throws IOException {
        // the JDK's spawn helper closes every inherited fd above 2 in the child
        process = new ProcessBuilder("/bin/sh", "-c", command)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        stdin = process.getOutputStream();
    }

    /** Writes whole lines; a logger that has exited is started again first. */
    public void write(byte[] data, int offset, int length) throws IOException {
        if (!process.isAlive()) {
            stop();
            spawn();
        }
        stdin.write(data, offset, length);
        stdin.flush();
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        stop();
    }

    private void stop() {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // the child may already be gone; it is reaped below either way
        }
        try {
            if (!process.waitFor(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                process.destroy();
                if (!process.waitFor(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
