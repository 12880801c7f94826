package io.lightgate.gateway.cgi;

import io.lightgate.gateway.BackendTimeoutException;
import io.lightgate.os.ErrnoException;
import io.lightgate.os.Posix;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.IovArray;
import io.netty.channel.unix.Limits;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The parent's ends of a CGI program's pipes as a {@link CgiBackend}: {@link #write} feeds the program's stdin,
 * its stdout arrives as {@link Listener#onData}. Both ends are O_NONBLOCK and registered edge-triggered as
 * {@link EpollIoHandle}s on one epoll event loop, where every method must be called. Nothing is read before
 * {@link #listen}. Writes queue (direct buffers, writev) and are bounded by a 64 KiB high-water mark; EPOLLOUT
 * is armed only while bytes wait. When the program closes its stdin (EPIPE) the queued and later bytes are
 * dropped as lighttpd does, and its output is still read. Once stdout has ended and stdin is closed the stream
 * closes itself. Optional read/write timeouts fail the stream with a {@link BackendTimeoutException}.
 */
public final class PipeStream implements CgiBackend {
    /** Above this many queued bytes {@link #isWritable()} turns false (as for backend channels). */
    public static final int HIGH_WATER_MARK = 64 * 1024;
    /** ... and it turns true again at or below this many. */
    public static final int LOW_WATER_MARK = 32 * 1024;
    /** Reads per readiness event before other work on the loop gets a turn (Netty's maxMessagesPerRead). */
    private static final int MAX_READS_PER_ROUND = 16;
    private static final int EPOLLERR = 0x008;
    private static final int EPOLLHUP = 0x010;
    private static final EpollIoOps EDGE = EpollIoOps.EPOLLET;
    private static final EpollIoOps EDGE_IN = EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLET);
    private static final EpollIoOps EDGE_OUT = EpollIoOps.EPOLLOUT.with(EpollIoOps.EPOLLET);

    /** One iovec array per loop thread (as Netty's epoll transport keeps), used only inside one writev. */
    private static final FastThreadLocal<IovArray> IOV_ARRAYS = new FastThreadLocal<>() {
        @Override
        protected IovArray initialValue() {
            return new IovArray(Limits.IOV_MAX);
        }

        @Override
        protected void onRemoval(IovArray iov) {
            iov.release();
        }
    };

    private final IoEventLoop loop;
    private final ByteBufAllocator alloc;
    private final PipeEnd stdout;
    private final PipeEnd stdin;
    private final long readTimeoutNanos;
    private final long writeTimeoutNanos;
    private final ReadSizer sizer = new ReadSizer();
    private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>(4);
    private final Runnable readTask = this::scheduledRead;
    private long queuedBytes;
    private Listener listener;
    private boolean readable = true;
    // edge-triggered: set by an event, cleared once a read shows the pipe empty
    private boolean readReady;
    private boolean hangUpSeen;
    private boolean readScheduled;
    private boolean inputEnded;
    private boolean outputShutRequested;
    private boolean outputDone;
    private boolean waitingForWritable;
    private boolean writable = true;
    private boolean closed;
    private boolean closedNotified;
    private Throwable failure;
    private boolean failureNotified;
    private long bytesIn;
    private long bytesOut;
    private long lastReadNanos;
    private long lastWriteProgressNanos;
    private ScheduledFuture<?> readTimer;
    private ScheduledFuture<?> writeTimer;

    private PipeStream(IoEventLoop loop, ByteBufAllocator alloc, int stdinWriteFd, int stdoutReadFd,
                       int readTimeoutSeconds, int writeTimeoutSeconds) {
        this.loop = loop;
        this.alloc = alloc;
        this.stdin = stdinWriteFd < 0 ? null : new PipeEnd(new FileDescriptor(stdinWriteFd), false);
        this.outputDone = stdin == null;
        this.stdout = new PipeEnd(new FileDescriptor(stdoutReadFd), true);
        this.readTimeoutNanos = TimeUnit.SECONDS.toNanos(readTimeoutSeconds);
        this.writeTimeoutNanos = TimeUnit.SECONDS.toNanos(writeTimeoutSeconds);
    }

    /**
     * Takes ownership of the parent's ends (closed by this stream, or here when this fails), makes them
     * non-blocking and registers them on {@code loop} (an epoll loop). Timeouts are in seconds, 0 = off.
     */
    public static PipeStream open(IoEventLoop loop, ByteBufAllocator alloc, int stdinWriteFd, int stdoutReadFd,
                                  int readTimeoutSeconds, int writeTimeoutSeconds) throws ErrnoException {
        if (!loop.isCompatible(PipeEnd.class)) {
            closeQuietly(stdinWriteFd);
            closeQuietly(stdoutReadFd);
            throw new IllegalArgumentException("pipes need an epoll event loop, not " + loop);
        }
        if (readTimeoutSeconds < 0 || writeTimeoutSeconds < 0) {
            throw new IllegalArgumentException("timeouts must be >= 0");
        }
        try {
            Posix.setNonBlocking(stdinWriteFd);
            Posix.setNonBlocking(stdoutReadFd);
        } catch (ErrnoException e) {
            closeQuietly(stdinWriteFd);
            closeQuietly(stdoutReadFd);
            throw e;
        }
        PipeStream stream = new PipeStream(loop, alloc, stdinWriteFd, stdoutReadFd, readTimeoutSeconds,
                writeTimeoutSeconds);
        stream.stdout.register(EDGE_IN);
        // Registration starts level-triggered on EPOLLERR; a closed reader would then wake the loop forever.
        stream.stdin.register(EDGE);
        return stream;
    }

    /**
     * A stream that only reads {@code readFd} (e.g. a program's stderr): writes are dropped, and it closes
     * itself at end of input. Takes ownership of the descriptor.
     */
    public static PipeStream openReadOnly(IoEventLoop loop, ByteBufAllocator alloc, int readFd)
            throws ErrnoException {
        if (!loop.isCompatible(PipeEnd.class)) {
            closeQuietly(readFd);
            throw new IllegalArgumentException("pipes need an epoll event loop, not " + loop);
        }
        try {
            Posix.setNonBlocking(readFd);
        } catch (ErrnoException e) {
            closeQuietly(readFd);
            throw e;
        }
        PipeStream stream = new PipeStream(loop, alloc, -1, readFd, 0, 0);
        stream.stdout.register(EDGE_IN);
        return stream;
    }

    private static void closeQuietly(int fd) {
        try {
            Posix.close(fd);
        } catch (ErrnoException ignored) {
            // nothing more to do with a descriptor that will not close
        }
    }

    @Override
    public IoEventLoop eventLoop() {
        return loop;
    }

    @Override
    public long bytesIn() {
        return bytesIn;
    }

    @Override
    public long bytesOut() {
        return bytesOut;
    }

    @Override
    public void listen(Listener l) {
        listener = l;
        if (failure != null && !failureNotified) {
            failureNotified = true;
            l.onFailed(failure);
        }
        if (closed) {
            notifyClosed();
            return;
        }
        lastReadNanos = System.nanoTime();
        if (readTimeoutNanos > 0) {
            readTimer = loop.schedule(this::checkReadTimeout, readTimeoutNanos, TimeUnit.NANOSECONDS);
        }
        if (readReady && readable) {
            readRound();
        }
    }

    // ---- stdout ---------------------------------------------------------------------------------------------

    private void onStdoutEvent(int events) {
        readReady = true;
        if ((events & (EPOLLHUP | EPOLLERR)) != 0) {
            hangUpSeen = true;
        }
        if (mayRead()) {
            readRound();
        }
    }

    private boolean mayRead() {
        return listener != null && readable && !inputEnded && !closed;
    }

    private void scheduledRead() {
        readScheduled = false;
        if (readReady && mayRead()) {
            readRound();
        }
    }

    private void readRound() {
        boolean delivered = false;
        for (int i = 0; i < MAX_READS_PER_ROUND && readReady && mayRead(); i++) {
            ByteBuf buf = alloc.directBuffer(sizer.next());
            int attempted = buf.writableBytes();
            int n;
            try {
                n = read(buf, attempted);
            } catch (IOException | RuntimeException e) {
                buf.release();
                fail(e);
                return;
            }
            if (n > 0) {
                buf.writerIndex(buf.writerIndex() + n);
                bytesIn += n;
                lastReadNanos = System.nanoTime();
                sizer.record(n, attempted);
                // A short read emptied the pipe; the next write by the program raises a new edge.
                if (n < attempted && !hangUpSeen) {
                    readReady = false;
                }
                delivered = true;
                listener.onData(buf);
            } else {
                buf.release();
                readReady = false;
                if (n < 0) {
                    if (delivered && listener != null) {
                        delivered = false;
                        listener.onReadComplete();
                    }
                    endOfInput();
                }
            }
        }
        if (delivered && listener != null) {
            listener.onReadComplete();
        }
        if (readReady && mayRead()) {
            scheduleRead();
        }
    }

    private int read(ByteBuf buf, int length) throws IOException {
        if (buf.hasMemoryAddress()) {
            return stdout.fd.readAddress(buf.memoryAddress(), buf.writerIndex(), buf.writerIndex() + length);
        }
        java.nio.ByteBuffer nio = buf.internalNioBuffer(buf.writerIndex(), length);
        return stdout.fd.read(nio, nio.position(), nio.limit());
    }

    private void scheduleRead() {
        if (!readScheduled) {
            readScheduled = true;
            loop.execute(readTask);
        }
    }

    private void endOfInput() {
        if (inputEnded || closed) {
            return;
        }
        inputEnded = true;
        stdout.release();
        cancel(readTimer);
        listener.onEndOfInput();
        finishIfDone();
    }

    @Override
    public void setReadable(boolean readable) {
        if (this.readable == readable) {
            return;
        }
        this.readable = readable;
        if (readable && mayRead()) {
            lastReadNanos = System.nanoTime(); // paused by us, not idle
            if (readReady) {
                scheduleRead();
            }
        }
    }

    // ---- stdin ----------------------------------------------------------------------------------------------

    @Override
    public void write(ByteBuf data) {
        int n = data.readableBytes();
        if (closed || outputShutRequested || outputDone || n == 0) {
            data.release();
            return;
        }
        if (!data.isDirect()) {
            ByteBuf direct = alloc.directBuffer(n);
            direct.writeBytes(data);
            data.release();
            data = direct;
        }
        if (queue.isEmpty()) {
            lastWriteProgressNanos = System.nanoTime();
            if (writeTimeoutNanos > 0 && writeTimer == null) {
                writeTimer = loop.schedule(this::checkWriteTimeout, writeTimeoutNanos, TimeUnit.NANOSECONDS);
            }
        }
        queue.add(data);
        queuedBytes += n;
        if (writable && queuedBytes > HIGH_WATER_MARK) {
            setWritable(false);
        }
    }

    @Override
    public void flush() {
        if (!closed && !outputDone && !waitingForWritable && !queue.isEmpty()) {
            writeQueued();
        }
    }

    private void onStdinEvent(int events) {
        if (closed || outputDone) {
            return;
        }
        if (!queue.isEmpty()) {
            writeQueued(); // EPOLLOUT; with EPOLLERR (reader gone) the write reports EPIPE
        } else if ((events & EPOLLERR) != 0) {
            stdinClosedByProgram();
        }
    }

    private void writeQueued() {
        while (!queue.isEmpty()) {
            long attempted = Math.min(queuedBytes, Limits.SSIZE_MAX);
            long written;
            try {
                written = queue.size() == 1 && queue.peek().hasMemoryAddress() ? writeOne(queue.peek()) : writeMany();
            } catch (Errors.NativeIoException e) {
                if (e.expectedErr() == Errors.ERRNO_EPIPE_NEGATIVE) {
                    stdinClosedByProgram();
                } else {
                    fail(e);
                }
                return;
            } catch (IOException | RuntimeException e) {
                fail(e);
                return;
            }
            if (written <= 0) {
                break; // EAGAIN
            }
            consume(written);
            if (written < attempted && !queue.isEmpty()) {
                break; // the pipe is full: wait for EPOLLOUT rather than take an EAGAIN
            }
        }
        if (queue.isEmpty()) {
            if (waitingForWritable) {
                waitingForWritable = false;
                stdin.interest(EDGE);
            }
            if (outputShutRequested) {
                closeOutput();
            }
        } else if (!waitingForWritable) {
            waitingForWritable = true;
            stdin.interest(EDGE_OUT);
        }
    }

    private int writeOne(ByteBuf buf) throws IOException {
        return stdin.fd.writeAddress(buf.memoryAddress(), buf.readerIndex(), buf.writerIndex());
    }

    private long writeMany() throws IOException {
        IovArray iov = IOV_ARRAYS.get();
        iov.clear();
        for (ByteBuf buf : queue) {
            if (!iov.add(buf, buf.readerIndex(), buf.readableBytes())) {
                break;
            }
        }
        return stdin.fd.writevAddresses(iov.memoryAddress(0), iov.count());
    }

    private void consume(long written) {
        bytesOut += written;
        queuedBytes -= written;
        lastWriteProgressNanos = System.nanoTime();
        long left = written;
        while (left > 0) {
            ByteBuf head = queue.peek();
            int readableBytes = head.readableBytes();
            if (readableBytes <= left) {
                queue.poll().release();
                left -= readableBytes;
            } else {
                head.skipBytes((int) left);
                left = 0;
            }
        }
        if (!writable && queuedBytes <= LOW_WATER_MARK) {
            setWritable(true);
        }
    }

    private void setWritable(boolean writable) {
        this.writable = writable;
        if (listener != null && !closed) {
            listener.onWritabilityChanged(writable);
        }
    }

    /** EPIPE: the program closed its stdin or exited; like lighttpd, skip the rest of the input. */
    private void stdinClosedByProgram() {
        releaseQueue();
        closeOutput();
        if (!writable && !closed) {
            setWritable(true);
        }
    }

    /** Bytes written but not yet taken by the pipe (for tests of the back-pressure bound). */
    long queuedBytes() {
        return queuedBytes;
    }

    @Override
    public boolean isWritable() {
        return writable;
    }

    @Override
    public void endRequestBody() {
        shutdownOutput();
    }

    /** Closes the program's stdin once the queued bytes are written. */
    @Override
    public void shutdownOutput() {
        if (closed || outputDone || outputShutRequested) {
            return;
        }
        outputShutRequested = true;
        if (queue.isEmpty()) {
            closeOutput();
        } else if (!waitingForWritable) {
            writeQueued();
        }
    }

    private void closeOutput() {
        if (outputDone) {
            return;
        }
        outputDone = true;
        waitingForWritable = false;
        if (stdin != null) {
            stdin.release();
        }
        cancel(writeTimer);
        writeTimer = null;
        finishIfDone();
    }

    // ---- both -----------------------------------------------------------------------------------------------

    private void finishIfDone() {
        if (inputEnded && outputDone && !closed) {
            closeNow();
        }
    }

    /** Closes both pipes now; bytes still queued for stdin are dropped (nobody will read them). */
    @Override
    public void close() {
        if (!closed) {
            closeNow();
        }
    }

    private void fail(Throwable cause) {
        if (closed) {
            return;
        }
        failure = cause;
        try {
            if (listener != null) {
                failureNotified = true;
                listener.onFailed(cause);
            }
        } finally {
            // a listener that throws (e.g. reaching a loop that has stopped) must not leave the pipes open
            closeNow();
        }
    }

    private void closeNow() {
        if (closed) {
            return;
        }
        closed = true;
        cancel(readTimer);
        cancel(writeTimer);
        stdout.release();
        if (stdin != null) {
            stdin.release();
        }
        releaseQueue();
        notifyClosed();
    }

    private void releaseQueue() {
        ByteBuf b;
        while ((b = queue.poll()) != null) {
            b.release();
        }
        queuedBytes = 0;
    }

    private void notifyClosed() {
        if (listener != null && !closedNotified) {
            closedNotified = true;
            listener.onClosed();
        }
    }

    private static void cancel(ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    // ---- timeouts -------------------------------------------------------------------------------------------

    private void checkReadTimeout() {
        readTimer = null;
        if (closed || inputEnded) {
            return;
        }
        long idle = System.nanoTime() - lastReadNanos;
        if (readable && idle >= readTimeoutNanos) {
            fail(new BackendTimeoutException(BackendTimeoutException.Kind.READ, "read-timeout: nothing from the CGI"
                    + " program for " + TimeUnit.NANOSECONDS.toSeconds(readTimeoutNanos) + " s"));
            return;
        }
        long next = readable ? readTimeoutNanos - idle : readTimeoutNanos;
        readTimer = loop.schedule(this::checkReadTimeout, next, TimeUnit.NANOSECONDS);
    }

    private void checkWriteTimeout() {
        writeTimer = null;
        if (closed || outputDone || queue.isEmpty()) {
            return;
        }
        long stalled = System.nanoTime() - lastWriteProgressNanos;
        if (stalled >= writeTimeoutNanos) {
            fail(new BackendTimeoutException(BackendTimeoutException.Kind.WRITE, "write-timeout: the CGI program"
                    + " took no bytes for " + TimeUnit.NANOSECONDS.toSeconds(writeTimeoutNanos) + " s"));
            return;
        }
        writeTimer = loop.schedule(this::checkWriteTimeout, writeTimeoutNanos - stalled, TimeUnit.NANOSECONDS);
    }

    @Override
    public String toString() {
        return "PipeStream[stdin=" + (stdin == null ? "none" : stdin.fd.intValue() + (outputDone ? " closed" : ""))
                + ", stdout=" + stdout.fd.intValue() + (inputEnded ? " ended" : "") + (closed ? ", closed]" : "]");
    }

    /** One pipe end on the loop: registration, interest, and closing the descriptor exactly once. */
    private final class PipeEnd implements EpollIoHandle {
        private final FileDescriptor fd;
        private final boolean input;
        private IoRegistration registration;
        private EpollIoOps ops;
        private boolean released;

        PipeEnd(FileDescriptor fd, boolean input) {
            this.fd = fd;
            this.input = input;
        }

        void register(EpollIoOps initial) {
            ops = initial;
            loop.register(this).addListener(this::registered);
        }

        private void registered(Future<?> result) {
            if (!result.isSuccess()) {
                closeFd();
                fail(result.cause());
                return;
            }
            registration = (IoRegistration) result.getNow();
            if (released) {
                registration.cancel();
                closeFd();
                return;
            }
            submit();
        }

        void interest(EpollIoOps wanted) {
            ops = wanted;
            if (registration != null && !released) {
                submit();
            }
        }

        private void submit() {
            try {
                registration.submit(ops);
            } catch (RuntimeException e) {
                fail(e);
            }
        }

        @Override
        public FileDescriptor fd() {
            return fd;
        }

        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            if (released) {
                return;
            }
            int events = ((EpollIoEvent) event).ops().value();
            if (input) {
                onStdoutEvent(events);
            } else {
                onStdinEvent(events);
            }
        }

        /** Netty: the loop is shutting down with this end still registered. */
        @Override
        public void close() {
            try {
                fail(new IOException("event loop shut down with the CGI pipes open"));
            } finally {
                release();
            }
        }

        /** Deregisters (before the close, so epoll forgets the fd) and closes; once. */
        void release() {
            if (released) {
                return;
            }
            released = true;
            if (registration != null) {
                registration.cancel();
                closeFd();
            }
            // else: registered() closes it when the pending registration completes
        }

        private void closeFd() {
            try {
                fd.close();
            } catch (IOException ignored) {
                // Linux releases the descriptor even when close reports an error
            }
        }
    }

    /** Read buffer sizes that follow what the program writes: grow fast on full reads, shrink slowly. */
    private static final class ReadSizer {
        private static final int MIN = 512;
        private static final int MAX = 64 * 1024;
        private int size = 2048;
        private boolean shrinkPending;

        int next() {
            return size;
        }

        void record(int read, int attempted) {
            if (read >= attempted) {
                size = Math.min(MAX, size * 2);
                shrinkPending = false;
            } else if (read <= size / 2) {
                if (shrinkPending) {
                    size = Math.max(MIN, size / 2);
                }
                shrinkPending = !shrinkPending;
            } else {
                shrinkPending = false;
            }
        }
    }
}
