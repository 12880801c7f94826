package io.lightgate.log;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The error log ({@code server.errorlog}) in lighttpd's line format:
 * {@code 2026-11-21 19:32:38: (source) message}. Writes to stderr until a file or a logger command
 * ({@code "|command"}, {@link PipedLogger}) is set; SIGHUP reopens the file ({@link #reopen()}). One line per
 * event, written whole, so lines from several event loops never interleave.
 */
public final class ErrorLog {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final Object lock = new Object();
    private Path file;
    private OutputStream out;
    private PipedLogger pipe;
    private final PrintStream stderr;

    public ErrorLog(PrintStream stderr) {
        this.stderr = stderr;
    }

    /** Logs to standard error. */
    public static ErrorLog toStderr() {
        return new ErrorLog(System.err);
    }

    /** Switches from stderr to {@code path} (append mode, created 0644 if absent). */
    public void openFile(Path path) throws IOException {
        OutputStream next = Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE);
        synchronized (lock) {
            closeQuietly();
            file = path;
            out = next;
        }
    }

    /** Switches to a logger command ({@code server.errorlog = "|command"}), started now. */
    public void openPipe(String command) throws IOException {
        PipedLogger next = PipedLogger.start(command);
        synchronized (lock) {
            closeQuietly();
            file = null;
            pipe = next;
        }
    }

    /** The logger command in use, or null. */
    public String pipeCommand() {
        synchronized (lock) {
            return pipe == null ? null : pipe.command();
        }
    }

    /** Reopens the log file (after log rotation); a no-op when logging to stderr. */
    public void reopen() {
        synchronized (lock) {
            if (file == null) {
                return;
            }
            try {
                OutputStream next = Files.newOutputStream(file, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND, StandardOpenOption.WRITE);
                closeQuietly();
                out = next;
            } catch (IOException e) {
                write("errorlog", "reopening " + file + " failed: " + e.getMessage());
            }
        }
    }

    /** The file in use, or null for stderr. */
    public Path file() {
        synchronized (lock) {
            return file;
        }
    }

    /** Writes one line: {@code source} names the part of the server that speaks (e.g. "server", "mod_staticfile"). */
    public void write(String source, String message) {
        String line = LocalDateTime.now().format(TIME) + ": (" + source + ") " + message + "\n";
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        synchronized (lock) {
            if (pipe != null) {
                try {
                    pipe.write(bytes, 0, bytes.length);
                    return;
                } catch (IOException e) {
                    // fall through to stderr so the event is not lost
                }
            }
            if (out != null) {
                try {
                    out.write(bytes);
                    out.flush();
                    return;
                } catch (IOException e) {
                    // fall through to stderr so the event is not lost
                }
            }
            stderr.write(bytes, 0, bytes.length);
            stderr.flush();
        }
    }

    /** Closes the file or the logger command (which gets EOF and is reaped); later lines go to stderr. */
    public void close() {
        synchronized (lock) {
            closeQuietly();
            file = null;
        }
    }

    private void closeQuietly() {
        if (pipe != null) {
            pipe.close();
            pipe = null;
        }
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // nothing useful to do: the log itself is what failed
            }
            out = null;
        }
    }
}
