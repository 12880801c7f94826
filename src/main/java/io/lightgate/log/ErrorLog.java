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
 *
 * <p>A file (and stderr) is written at once, as lighttpd does: appending to a file returns as soon as the
 * page cache has it. A logger command can stop reading, and its pipe then fills; lighttpd blocks in
 * {@code write()} there, which would stall every event loop that logs. Lines for a logger command go
 * through a {@link QueuedLogWriter} instead: its thread writes them (and starts the command again when it
 * died), a full queue drops lines and the log says how many once the command reads again, and a batch the
 * command could not take goes to stderr.
 */
public final class ErrorLog {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final Object lock = new Object();
    private Path file;
    private OutputStream out;
    private QueuedLogWriter pipe;
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
        // started here, so that a command that cannot start stops start-up
        LogSink.PipeSink sink = LogSink.PipeSink.start(command);
        QueuedLogWriter next = new QueuedLogWriter("|" + command, sink, "errorlog |" + command, new PipeProblems());
        synchronized (lock) {
            closeQuietly();
            file = null;
            pipe = next;
        }
    }

    /** The logger command in use, or null. */
    public String pipeCommand() {
        synchronized (lock) {
            return pipe == null ? null : pipe.target().substring(1);
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
        byte[] bytes = line(source, message);
        synchronized (lock) {
            if (pipe != null) {
                pipe.offer(bytes);
                return;
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
            writeStderr(bytes, bytes.length);
        }
    }

    private static byte[] line(String source, String message) {
        String line = LocalDateTime.now().format(TIME) + ": (" + source + ") " + message + "\n";
        return line.getBytes(StandardCharsets.UTF_8);
    }

    private void writeStderr(byte[] data, int length) {
        stderr.write(data, 0, length);
        stderr.flush();
    }

    /** What the logger command's writer thread does with lines it could not deliver. */
    private final class PipeProblems implements QueuedLogWriter.Problems {
        @Override
        public byte[] dropped(long lines) {
            // into the same log, ahead of the lines that did fit
            return line("errorlog", lines + " error log lines dropped: the logger command did not read them in time");
        }

        @Override
        public void failed(String message, byte[] data, int length) {
            byte[] note = line("errorlog", message);
            writeStderr(note, note.length);
            writeStderr(data, length);
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
            pipe.stop(); // writes what is queued, then EOF to the command, which is reaped
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
