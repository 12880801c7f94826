package io.lightgate.gateway.cgi;

import io.lightgate.http.ByteStream;
import io.netty.buffer.ByteBuf;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** A stream listener for tests: keeps what arrives and the order of the callbacks; runs on the loop. */
class StreamRecorder implements ByteStream.Listener {
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    final List<String> events = new CopyOnWriteArrayList<>();
    final CompletableFuture<Void> ended = new CompletableFuture<>();
    final CompletableFuture<Throwable> failed = new CompletableFuture<>();
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    volatile long bytes;
    int readCompletes;

    @Override
    public void onData(ByteBuf data) {
        try {
            bytes += data.readableBytes();
            received(data);
        } finally {
            data.release();
        }
    }

    /** Called with each chunk before it is released; keeps the bytes by default. */
    void received(ByteBuf data) {
        synchronized (received) {
            byte[] bytes = new byte[data.readableBytes()];
            data.getBytes(data.readerIndex(), bytes);
            received.writeBytes(bytes);
        }
    }

    @Override
    public void onReadComplete() {
        readCompletes++;
    }

    @Override
    public void onEndOfInput() {
        events.add("end");
        ended.complete(null);
    }

    @Override
    public void onWritabilityChanged(boolean writable) {
        events.add("writable:" + writable);
    }

    @Override
    public void onFailed(Throwable cause) {
        events.add("failed");
        failed.complete(cause);
    }

    @Override
    public void onClosed() {
        events.add("closed");
        closed.complete(null);
    }

    String text() {
        synchronized (received) {
            return received.toString(StandardCharsets.UTF_8);
        }
    }
}
