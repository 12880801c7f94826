package io.lightgate.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where a log goes: a file opened for append, a command's standard input, or the process's own standard
 * error or output. Used by one thread at a time ({@link QueuedLogWriter}'s).
 */
public sealed interface LogSink permits LogSink.FileSink, LogSink.PipeSink, LogSink.StandardStream {

    /** Opens the sink named by a log target such as an {@code accesslog.filename} value ("|command" for a pipe). */
    static LogSink open(String target) throws IOException {
        if (target.startsWith("|")) {
            return PipeSink.start(target.substring(1));
        }
        // lighttpd writes "/dev/stderr" to its own fd 2 rather than opening the path again: a second open
        // of a redirected stderr gets its own file offset and overwrites what the error log wrote.
        if (target.equals("/dev/stderr")) {
            return new StandardStream(System.err);
        }
        if (target.equals("/dev/stdout")) {
            return new StandardStream(System.out);
        }
        return FileSink.open(Path.of(target));
    }

    void write(byte[] data, int length) throws IOException;

    /** SIGHUP: reopen a file (after rotation); a pipe stays as it is. */
    void reopen() throws IOException;

    void close();

    /**
     * The process's own standard error or output. Each write is whole lines in one PrintStream call, which
     * holds the stream's lock, so lines never interleave with the error log's.
     */
    record StandardStream(java.io.PrintStream stream) implements LogSink {
        @Override
        public void write(byte[] data, int length) {
            stream.write(data, 0, length);
            stream.flush();
        }

        @Override
        public void reopen() { }

        @Override
        public void close() {
            stream.flush();
        }
    }

    /** A file in append mode (created 0644 under the umask, as lighttpd). */
    final class FileSink implements LogSink {
        private final Path path;
        private FileChannel channel;

        private FileSink(Path path, FileChannel channel) {
            this.path = path;
            this.channel = channel;
        }

        public static FileSink open(Path path) throws IOException {
            return new FileSink(path, openChannel(path));
        }

        private static FileChannel openChannel(Path path) throws IOException {
            return FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE);
        }

        @Override
        public void write(byte[] data, int length) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(data, 0, length);
            while (b.hasRemaining()) {
                channel.write(b);
            }
        }

        @Override
        public void reopen() throws IOException {
            FileChannel next = openChannel(path);
            FileChannel old = channel;
            channel = next;
            old.close();
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing an append-only file: the data was already written
            }
        }
    }

    /** A logger command ({@link PipedLogger}): lines on its standard input, restarted when it died. */
    final class PipeSink implements LogSink {
        private final PipedLogger logger;

        private PipeSink(PipedLogger logger) {
            this.logger = logger;
        }

        public static PipeSink start(String command) throws IOException {
            return new PipeSink(PipedLogger.start(command));
        }

        @Override
        public void write(byte[] data, int length) throws IOException {
            logger.write(data, 0, length);
        }

        @Override
        public void reopen() { }

        @Override
        public void close() {
            logger.close();
        }

        public long pid() { return logger.pid(); }
    }
}
