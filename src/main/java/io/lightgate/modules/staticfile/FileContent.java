package io.lightgate.modules.staticfile;

import io.lightgate.http.Response;
import io.lightgate.http.PhysicalPath;
import io.lightgate.http.StatCache;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The bytes of a file being served: small files from the stat cache's memory (no open, read or sendfile per
 * request), others from an open channel sent zero-copy. Parts of one response share the one channel; the
 * core closes it once after the last byte.
 */
sealed interface FileContent {

    long length();

    /** A body for {@code count} bytes from {@code offset}. */
    Response.Body range(long offset, long count);

    /** The whole file as a body (EMPTY for an empty file, which releases what was opened). */
    default Response.Body whole() {
        if (length() == 0) {
            discard();
            return Response.Body.EMPTY;
        }
        return range(0, length());
    }

    /** Releases what was opened when no body is sent after all. */
    void discard();

    static FileContent open(PhysicalPath physical, StatCache.FileStat stat, boolean cached) throws IOException {
        byte[] small = StatCache.smallFileContent(physical, stat, cached);
        if (small != null) {
            return new InMemory(small);
        }
        FileChannel channel = FileChannel.open(physical.path(), StandardOpenOption.READ);
        try {
            return new OnDisk(channel, channel.size());
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    /** A shared, never modified array from the stat cache; each body wraps it without copying. */
    record InMemory(byte[] bytes) implements FileContent {
        public long length() { return bytes.length; }

        public Response.Body range(long offset, long count) {
            return new Response.Bytes(Unpooled.wrappedBuffer(bytes, (int) offset, (int) count));
        }

        public void discard() { }
    }

    record OnDisk(FileChannel channel, long length) implements FileContent {
        public Response.Body range(long offset, long count) {
            return new Response.FileRange(channel, offset, count);
        }

        public void discard() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // read-only: nothing to lose
            }
        }
    }
}
