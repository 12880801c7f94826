package io.lightgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.BodyRoutes;
import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.RawHttp;
import io.lightgate.testing.TestModule;
import io.lightgate.testing.TestServer;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Streamed bodies against lighttpd's idle limits (2 s here) and with back-pressure: time the module holds the
 * body is not the client's read idleness, a slow producer is not the client's write idleness, a stalled client is.
 */
@ExtendWith(LeakGuard.class)
class StreamedBodyIdleTest {
    private static final Duration T = Duration.ofSeconds(15);
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start("""
                server.modules = ("mod_test")
                server.max-read-idle = 2
                server.max-write-idle = 2
                """, TestModule.registry());
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @BeforeEach
    void clearEvents() {
        BodyRoutes.EVENTS.clear();
    }

    private static void sendInBackground(RawHttp c, byte[] body) {
        Thread.ofVirtual().start(() -> {
            try {
                c.send(new String(body, StandardCharsets.ISO_8859_1));
            } catch (IOException e) {
                // the test's assertions tell what went wrong
            }
        });
    }

    @Test
    void aBodyTheModulePausesIsNotReadIdle() throws Exception {
        byte[] body = StreamedBodyTest.randomBytes(1 << 20, 7);
        try (RawHttp c = RawHttp.connect(server.port(), T)) {
            c.send("POST /body-count?pauseMs=3500 HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length + "\r\n\r\n");
            sendInBackground(c, body);
            assertThat(c.readResponse(false).body()).isEqualTo(StreamedBodyTest.countOf(body));
        }
    }

    @Test
    void aBodyWaitingForItsListenerIsNotReadIdle() throws Exception {
        byte[] body = StreamedBodyTest.randomBytes(1 << 20, 8);
        try (RawHttp c = RawHttp.connect(server.port(), T)) {
            c.send("POST /body-count?listenAfterMs=3500 HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length
                    + "\r\n\r\n");
            sendInBackground(c, body);
            assertThat(c.readResponse(false).body()).isEqualTo(StreamedBodyTest.countOf(body));
        }
    }

    @Test
    void aClientStallingMidBodyIsReadIdle() throws Exception {
        try (RawHttp c = RawHttp.connect(server.port(), T)) {
            long start = System.nanoTime();
            c.send("POST /body-count HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nonly a part");
            String rest = c.readUntilClosed();
            assertThat(rest).doesNotContain("<<timeout>>");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(1900),
                    Duration.ofSeconds(5));
        }
        StreamedBodyTest.awaitEvent("failed /body-count: client sent no request body bytes for server.max-read-idle");
    }

    @Test
    void aSlowProducerIsNotWriteIdle() throws Exception {
        try (RawHttp c = RawHttp.connect(server.port(), T)) {
            c.send("GET /stream?n=2&size=5&delayMs=3500&length=known HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readResponse(false).body()).isEqualTo("abcdefghij");
        }
    }

    @Test
    void aClientNotReadingAStreamIsWriteIdleAndTheProducerCancelled() throws Exception {
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(16 * 1024);
            s.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()));
            s.getOutputStream().write("GET /stream?n=100000&size=1000 HTTP/1.1\r\nHost: a\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            long start = System.nanoTime();
            StreamedBodyTest.awaitEvent("cancel /stream");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(1900),
                    Duration.ofSeconds(6));
        }
        assertThat(BodyRoutes.EVENTS).containsExactly("started /stream", "cancel /stream");
    }

    private static long allocatorUsed() {
        ByteBufAllocatorMetric m = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
        return m.usedDirectMemory() + m.usedHeapMemory();
    }

    @Test
    void sixtyFourMebibytesEchoThroughBackPressureInBoundedMemory() throws Exception {
        long size = 64L << 20;
        long before = allocatorUsed();
        AtomicLong peak = new AtomicLong();
        CRC32 sent = new CRC32();
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /body-echo HTTP/1.1\r\nHost: a\r\nContent-Length: " + size + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            Thread writer = Thread.ofPlatform().start(() -> {
                byte[] block = new byte[64 * 1024];
                java.util.Random random = new java.util.Random(9);
                try {
                    for (long done = 0; done < size; done += block.length) {
                        random.nextBytes(block);
                        sent.update(block);
                        out.write(block);
                    }
                } catch (IOException e) {
                    // the reader's checks fail then
                }
            });
            InputStream in = s.getInputStream();
            RawHttp.Response head = readHead(in);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Transfer-Encoding")).isEqualTo("chunked");
            CRC32 received = new CRC32();
            long got = 0;
            byte[] buf = new byte[16 * 1024];
            while (true) {
                String sizeLine = line(in);
                int n = Integer.parseInt(sizeLine, 16);
                if (n == 0) {
                    assertThat(line(in)).isEmpty();
                    break;
                }
                for (int left = n; left > 0; ) {
                    int r = in.read(buf, 0, Math.min(buf.length, left));
                    assertThat(r).isPositive();
                    received.update(buf, 0, r);
                    left -= r;
                    got += r;
                    if (got % (4 << 20) < r) {
                        Thread.sleep(20); // a slow reader: the server must hold back, not buffer
                        peak.accumulateAndGet(allocatorUsed() - before, Math::max);
                    }
                }
                assertThat(line(in)).isEmpty();
            }
            writer.join();
            assertThat(got).isEqualTo(size);
            assertThat(received.getValue()).isEqualTo(sent.getValue());
        }
        assertThat(peak.get()).as("allocator growth while echoing").isLessThan(16L << 20);
        assertThat(BodyRoutes.EVENTS).containsExactly("started /body-echo", "end /body-echo");
    }

    private static RawHttp.Response readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        String l;
        while (!(l = line(in)).isEmpty()) {
            head.append(l).append("\r\n");
        }
        return RawHttp.parse(head.append("\r\n").toString());
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder s = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("closed in a line: " + s);
            }
            s.append((char) c);
        }
        assertThat(s.toString()).endsWith("\r");
        return s.substring(0, s.length() - 1);
    }
}
