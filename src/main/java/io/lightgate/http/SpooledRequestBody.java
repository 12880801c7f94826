package io.lightgate.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * A request body read whole before its module started ({@link RequestBodySpool}), so its {@link #length} is known.
 * {@link #listen} replays it with the {@link RequestBody} contract: from memory, or from an unlinked temp file read
 * {@value #READ_CHUNK} bytes at a time while readable. One state machine: READY (not listened to), REPLAYING, DONE.
 * {@link #close} (the exchange is over) releases what is left; a listener still being fed then hears onFailed.
 * Callbacks come on the exchange's event loop; calls from elsewhere are moved there.
 */
public final class SpooledRequestBody implements RequestBody {

    static final int READ_CHUNK = 64 * 1024;
    /** Chunks replayed per event-loop task, so that a long replay lets the loop's other channels run. */
    private static final int CHUNKS_PER_TASK = 16;

    private enum State { READY, REPLAYING, DONE }

    private final EventExecutor loop;
    private final ByteBufAllocator alloc;
    private final long length;
    /** The whole body when it stayed in memory; null once handed on, or when it is on file. */
    private ByteBuf memory;
    /** The whole body when it went to a temp file (already unlinked); null once closed. */
    private FileChannel file;
    private long filePosition;
    private State state = State.READY;
    private Listener listener;
    private boolean readable = true;
    private boolean replaying;
    private boolean replayQueued;

    private SpooledRequestBody(EventExecutor loop, ByteBufAllocator alloc, long length, ByteBuf memory,
                               FileChannel file) {
        this.loop = loop;
        this.alloc = alloc;
        this.length = length;
        this.memory = memory;
        this.file = file;
    }

    /** A body held in {@code memory} (this takes it over). */
    static SpooledRequestBody inMemory(EventExecutor loop, ByteBuf memory) {
        return new SpooledRequestBody(loop, null, memory.readableBytes(), memory, null);
    }

    /** A body of {@code length} bytes at the start of {@code file} (this takes it over and closes it). */
    static SpooledRequestBody onFile(EventExecutor loop, ByteBufAllocator alloc, FileChannel file, long length) {
        return new SpooledRequestBody(loop, alloc, length, null, file);
    }

    @Override
    public long length() {
        return length;
    }

    /** Whether the temp file is still open (for tests). */
    boolean holdsFile() {
        return file != null;
    }

    @Override
    public void listen(Listener listener) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> listen(listener));
            return;
        }
        if (this.listener != null) {
            throw new IllegalStateException("request body already has a listener");
        }
        this.listener = listener;
        if (state == State.DONE) {
            listener.onFailed(new IOException("the request was over before its spooled body was listened to"));
            return;
        }
        state = State.REPLAYING;
        replay();
    }

    @Override
    public void setReadable(boolean readable) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> setReadable(readable));
            return;
        }
        this.readable = readable;
        if (readable && !replaying) {
            queueReplay(); // not from inside the caller's stack: it may be a listener callback of ours
        }
    }

    private void queueReplay() {
        if (state == State.REPLAYING && !replayQueued) {
            replayQueued = true;
            loop.execute(() -> {
                replayQueued = false;
                replay();
            });
        }
    }

    /** The exchange is over: releases the memory and closes the file; a listener still being fed hears onFailed. */
    public void close() {
        if (!loop.inEventLoop()) {
            loop.execute(this::close);
            return;
        }
        if (state == State.DONE) {
            return;
        }
        boolean wasReplaying = state == State.REPLAYING;
        state = State.DONE;
        release();
        if (wasReplaying) {
            listener.onFailed(new IOException("the request was over before its spooled body was replayed"));
        }
    }

    private void replay() {
        if (replaying) {
            return; // a listener callback resumed us: the running loop goes on
        }
        replaying = true;
        try {
            int chunks = 0;
            while (state == State.REPLAYING && readable) {
                if (chunks++ == CHUNKS_PER_TASK) {
                    queueReplay();
                    return;
                }
                ByteBuf next;
                try {
                    next = nextChunk();
                } catch (IOException e) {
                    state = State.DONE;
                    release();
                    listener.onFailed(new IOException("reading the spooled request body failed: " + e.getMessage(), e));
                    return;
                }
                if (next == null) {
                    state = State.DONE;
                    release();
                    listener.onEnd();
                    return;
                }
                listener.onData(next);
            }
        } finally {
            replaying = false;
        }
    }

    /** The next piece of the body, or null at its end. */
    private ByteBuf nextChunk() throws IOException {
        if (memory != null) {
            ByteBuf m = memory;
            memory = null;
            if (m.isReadable()) {
                return m;
            }
            m.release();
            return null;
        }
        if (file == null || filePosition >= length) {
            return null;
        }
        int n = (int) Math.min(READ_CHUNK, length - filePosition);
        ByteBuf chunk = alloc.ioBuffer(n, n);
        try {
            while (chunk.writerIndex() < n) {
                int read = chunk.writeBytes(file, filePosition, n - chunk.writerIndex());
                if (read < 0) {
                    throw new EOFException("the temp file ended at " + filePosition + " of " + length + " bytes");
                }
                filePosition += read;
            }
        } catch (IOException | RuntimeException e) {
            chunk.release();
            throw e;
        }
        return chunk;
    }

    private void release() {
        release(memory, file);
        memory = null;
        file = null;
    }

    /** Frees a spooled body's memory and closes its temp file, either of which may be null. */
    static void release(ByteBuf memory, FileChannel file) {
        if (memory != null) {
            memory.release();
        }
        if (file != null) {
            try {
                file.close();
            } catch (IOException ignored) {
                // unlinked already: closing frees it whatever close reports
            }
        }
    }
}
