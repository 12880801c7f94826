package io.lightgate.modules.accesslog;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/** Where an access log goes: a file opened for append, or a command's standard input. Writer thread only. */
sealed interface LogSink permits LogSink.FileSink, LogSink.PipeSink, LogSink.StandardStream {

    /** Opens the sink named by an {@code accesslog.filename} value ("|command" for a pipe). */
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

        static FileSink open(Path path) throws IOException {
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

    /**
     * A command run with {@code /bin/sh -c}, reading lines on its standard input; its output and errors go
     * where lightgate's go. Closing sends EOF, waits briefly, then terminates it; the child is reaped.
     */
    final class PipeSink implements LogSink {
        private static final long EXIT_WAIT_MILLIS = 2000;
        private final String command;
        private Process process;
        private OutputStream stdin;

        private PipeSink(String command) {
            this.command = command;
        }

        static PipeSink start(String command) throws IOException {
            PipeSink s = new PipeSink(command);
            s.spawn();
            return s;
        }

        private void spawn() throws IOException {
            // the JDK's spawn helper closes every inherited fd above 2 in the child
            process = new ProcessBuilder("/bin/sh", "-c", command)
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            stdin = process.getOutputStream();
        }

        @Override
        public void write(byte[] data, int length) throws IOException {
            if (!process.isAlive()) {
                // lighttpd restarts a piped logger that died; so do we, once per write attempt
                stop();
                spawn();
            }
            stdin.write(data, 0, length);
            stdin.flush();
        }

        @Override
        public void reopen() { }

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

        long pid() { return process.pid(); }
    }
}
