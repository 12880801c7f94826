package io.lightgate.http;

import io.lightgate.server.ServerKeys;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads a request body of unknown length (chunked) to its end before the module starts its backend, as lighttpd
 * does for CGI, SCGI, FastCGI and an HTTP/1.0 proxy backend, which need the length first. The bytes stay in memory
 * up to {@value #MEMORY_LIMIT} bytes, beyond that they go to a temp file in the first usable directory of
 * {@code server.upload-dirs}, unlinked as soon as it is open (nothing is left behind, whatever happens). At the
 * body's end the module gets a {@link SpooledRequestBody} of known length. One state machine: COLLECTING, then
 * DONE (spooled, failed or the exchange over); every callback runs on the exchange's event loop.
 * <p>{@code server.max-request-size} and the read idle timeout stay the core's: it fails the body (answering 413
 * when the size is crossed) and the spool drops what it holds. A temp file that cannot be created or written is
 * this spool's failure: {@link Outcome#failed}.
 */
public final class RequestBodySpool implements RequestBody.Listener {

    /** Bytes kept in memory before the body goes to a temp file. */
    public static final int MEMORY_LIMIT = 64 * 1024;

    /** What becomes of the spool (on the event loop); nothing is called when the body itself fails. */
    public interface Outcome {
        /** The body ended; {@code body} replays it and is the receiver's to listen to (or to leave to the end). */
        void spooled(SpooledRequestBody body);

        /** The temp file could not be created or written; the message names the directories. */
        void failed(IOException cause);
    }

    private enum State { COLLECTING, DONE }

    private final EventExecutor loop;
    private final ByteBufAllocator alloc;
    private final List<Path> uploadDirs;
    private final int memoryLimit;
    private final Outcome outcome;
    private State state = State.COLLECTING;
    private ByteBuf memory;
    private FileChannel file;
    private Path fileDir;
    private long fileBytes;
    private long total;
    /** What {@link Outcome#spooled} got, for {@link #exchangeDone}. */
    private SpooledRequestBody spooled;

    RequestBodySpool(EventExecutor loop, ByteBufAllocator alloc, List<Path> uploadDirs, int memoryLimit,
                     Outcome outcome) {
        this.loop = loop;
        this.alloc = alloc;
        this.uploadDirs = List.copyOf(uploadDirs);
        this.memoryLimit = memoryLimit;
        this.outcome = outcome;
    }

    /**
     * Spools {@code ex}'s request body and then calls {@code then} with a body of known length, closed when the
     * exchange is done. When the temp file fails: one error-log line under {@code logSource} naming the directory,
     * and 500. When the body fails the core answers (413, or nobody for a client gone) and {@code then} is not
     * called. Call on the exchange's event loop, instead of listening to {@code ex.requestBody()}.
     */
    public static void spool(Exchange ex, String logSource, Consumer<SpooledRequestBody> then) {
        List<Path> dirs = ex.config().get(ServerKeys.UPLOAD_DIRS).stream().map(Path::of).toList();
        RequestBodySpool spool = new RequestBodySpool(ex.eventLoop(), ByteBufAllocator.DEFAULT, dirs, MEMORY_LIMIT,
                new Outcome() {
                    @Override
                    public void spooled(SpooledRequestBody body) {
                        then.accept(body);
                    }

                    @Override
                    public void failed(IOException cause) {
                        ex.errorLog().write(logSource, "cannot spool the chunked request body of "
                                + ex.request().target() + ": " + cause.getMessage() + " -> 500");
                        ex.respondError(500);
                    }
                });
        ex.onDone(spool::exchangeDone);
        ex.requestBody().listen(spool);
    }

    @Override
    public void onData(ByteBuf data) {
        try {
            if (state != State.COLLECTING) {
                return;
            }
            int n = data.readableBytes();
            if (file == null && total + n <= memoryLimit) {
                if (memory == null) {
                    memory = alloc.buffer(Math.min(memoryLimit, Math.max(n, 1024)), memoryLimit);
                }
                memory.writeBytes(data);
            } else {
                if (file == null) {
                    openFile();
                    if (memory != null) {
                        append(memory);
                        memory.release();
                        memory = null;
                    }
                }
                append(data);
            }
            total += n;
        } catch (IOException e) {
            fail(e);
        } finally {
            data.release();
        }
    }

    @Override
    public void onEnd() {
        if (state != State.COLLECTING) {
            return;
        }
        state = State.DONE;
        if (file != null) {
            spooled = SpooledRequestBody.onFile(loop, alloc, file, total);
        } else {
            spooled = SpooledRequestBody.inMemory(loop, memory != null ? memory : Unpooled.EMPTY_BUFFER);
        }
        file = null;
        memory = null;
        outcome.spooled(spooled);
    }

    @Override
    public void onFailed(Throwable cause) {
        // the core answers (413 for server.max-request-size) or the client is gone: nobody needs the bytes
        state = State.DONE;
        release();
    }

    /** The exchange is over: whatever is still held goes, spooled or not. */
    void exchangeDone() {
        state = State.DONE;
        release();
        if (spooled != null) {
            spooled.close();
        }
    }

    /** Whether a temp file is open (for tests). */
    boolean holdsFile() {
        return file != null;
    }

    private void fail(IOException cause) {
        state = State.DONE;
        release();
        outcome.failed(cause);
    }

    /** A temp file in the first directory that takes one, unlinked at once: the open channel keeps it alive. */
    private void openFile() throws IOException {
        IOException last = new IOException("server.upload-dirs names no directory");
        for (Path dir : uploadDirs) {
            Path path;
            FileChannel channel;
            try {
                path = Files.createTempFile(dir, "lightgate-upload-", "");
            } catch (IOException | UnsupportedOperationException e) {
                last = new IOException("creating a temp file in server.upload-dirs " + dir + " failed: " + reason(e));
                continue;
            }
            try {
                channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            } catch (IOException e) {
                Files.deleteIfExists(path);
                last = new IOException("opening a temp file in server.upload-dirs " + dir + " failed: " + reason(e));
                continue;
            }
            try {
                Files.delete(path);
            } catch (IOException e) {
                channel.close();
                throw new IOException("unlinking the temp file " + path + " failed: " + reason(e), e);
            }
            file = channel;
            fileDir = dir;
            fileBytes = 0;
            return;
        }
        throw last;
    }

    private void append(ByteBuf data) throws IOException {
        int index = data.readerIndex();
        int end = data.writerIndex();
        try {
            while (index < end) {
                int written = data.getBytes(index, file, fileBytes, end - index);
                index += written;
                fileBytes += written;
            }
        } catch (IOException e) {
            throw new IOException("writing the temp file in server.upload-dirs " + fileDir + " failed: "
                    + reason(e), e);
        }
    }

    private static String reason(Exception e) {
        String m = e.getMessage();
        return e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                : e instanceof java.nio.file.NoSuchFileException ? "no such directory"
                : m == null ? e.getClass().getSimpleName() : m;
    }

    private void release() {
        SpooledRequestBody.release(memory, file);
        memory = null;
        file = null;
    }
}
