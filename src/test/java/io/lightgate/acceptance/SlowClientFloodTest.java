package io.lightgate.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.TestServer;
import io.lightgate.websocket.Opcode;
import io.lightgate.websocket.RawWebSocket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A slow client through mod_wstunnel with a backend that floods 32 MiB as fast as it can: while the client
 * does not read, lightgate's buffer memory stays bounded (back-pressure reaches the backend, which stalls), and
 * once the client reads, every byte arrives, in order, across however many frames.
 */
@ExtendWith(LeakGuard.class)
class SlowClientFloodTest {
    private static final int FLOOD = 32 << 20;
    /** What lightgate may hold for one stalled tunnel (its design says about 128 KiB per direction). */
    private static final long MEMORY_BOUND = 4 << 20;

    @TempDir
    Path dir;

    private static byte patternAt(long offset) {
        return (byte) (offset % 251); // a prime period: a lost, repeated or reordered chunk shows up
    }

    /** The server's buffer memory: lightgate allocates from Netty's default allocator (pooled/adaptive). */
    private static long allocatorUsed() {
        ByteBufAllocatorMetric m = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
        return m.usedDirectMemory() + m.usedHeapMemory();
    }

    @Test
    void stalledClientKeepsServerMemoryBoundedAndLosesNothing() throws Exception {
        // The metric must be able to see a buffering server: 8 MiB held through the allocator shows up.
        long before = allocatorUsed();
        ByteBuf probe = ByteBufAllocator.DEFAULT.directBuffer(8 << 20);
        try {
            probe.writerIndex(probe.capacity());
            assertThat(allocatorUsed() - before).as("allocator metric sees 8 MiB").isGreaterThanOrEqualTo(8 << 20);
        } finally {
            probe.release();
        }

        Path socket = dir.resolve("flood.sock");
        AtomicLong written = new AtomicLong();
        AtomicReference<Throwable> backendError = new AtomicReference<>();
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
            Thread flooder = Thread.ofPlatform().daemon().name("flood-backend").start(() -> {
                try (SocketChannel c = listener.accept()) {
                    ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
                    long offset = 0;
                    while (offset < FLOOD) {
                        chunk.clear();
                        while (chunk.hasRemaining() && offset + chunk.position() < FLOOD) {
                            chunk.put(patternAt(offset + chunk.position()));
                        }
                        chunk.flip();
                        while (chunk.hasRemaining()) {
                            offset += c.write(chunk); // blocks while lightgate does not read
                            written.set(offset);
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    backendError.set(e);
                }
            });
            try (TestServer server = TestServer.start("server.modules = (\"mod_wstunnel\")\n"
                    + "wstunnel.server = ( \"/flood\" => ( ( \"socket\" => \"" + socket + "\" ) ) )\n"
                    + "wstunnel.frame-type = \"binary\"\n")) {
                System.gc();
                long baseline = allocatorUsed();
                try (RawWebSocket ws = RawWebSocket.open(server.port(), "/flood")) {
                    ws.socket.setSoTimeout(20_000);
                    // Not reading: wait until the backend is stalled (no progress for 500 ms).
                    long last = -1;
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                    while (written.get() != last && System.nanoTime() < deadline) {
                        last = written.get();
                        Thread.sleep(500);
                    }
                    long stalledAt = written.get();
                    long held = allocatorUsed() - baseline;
                    System.out.printf("flood: backend stalled after %d bytes; allocator +%d bytes%n", stalledAt, held);
                    assertThat(backendError.get()).isNull();
                    assertThat(stalledAt).as("the backend is held back (kernel buffers plus lightgate's share)")
                            .isLessThan(FLOOD);
                    assertThat(held).as("lightgate's extra buffer memory while the client does not read")
                            .isLessThan(MEMORY_BOUND);

                    // Now read it all: binary frames whose payloads, joined, are the backend's bytes in order.
                    long received = 0;
                    int frames = 0;
                    RawWebSocket.Frame f;
                    while ((f = ws.read()).opcode() == Opcode.BINARY) {
                        assertThat(f.fin()).isTrue();
                        byte[] p = f.payload();
                        for (int i = 0; i < p.length; i++) {
                            if (p[i] != patternAt(received + i)) {
                                throw new AssertionError("byte " + (received + i) + " differs in frame " + frames);
                            }
                        }
                        received += p.length;
                        frames++;
                    }
                    assertThat(received).isEqualTo(FLOOD);
                    assertThat(f.opcode()).as("after the data, the backend's EOF").isEqualTo(Opcode.CLOSE);
                    assertThat(f.closeCode()).isEqualTo(1001);
                    assertThat(frames).isGreaterThan(1);
                    ws.send(0x88, RawWebSocket.closePayload(1001, ""));
                    assertThat(ws.closedByServer()).isTrue();
                }
            }
            flooder.join(10_000);
            assertThat(backendError.get()).isNull();
            assertThat(written.get()).isEqualTo(FLOOD);
        }
    }
}
