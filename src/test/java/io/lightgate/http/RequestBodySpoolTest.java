package io.lightgate.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.LeakGuard;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RequestBodySpool} and {@link SpooledRequestBody} as pure classes on a real event loop, fed body pieces by the
 * test as the core would: memory below the limit, an unlinked temp file above it, replay with back-pressure, and
 * every end (body failed, exchange over mid-replay, unwritable directory) releasing buffers and closing the file.
 */
@ExtendWith(LeakGuard.class)
class RequestBodySpoolTest {
    private static final int LIMIT = 1024;

    @TempDir
    Path dir;
    private final EventLoop loop = new DefaultEventLoop();
    private final List<SpooledRequestBody> spooled = new ArrayList<>();
    private final List<IOException> failures = new ArrayList<>();

    @AfterEach
    void stopLoop() throws Exception {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private <T> T onLoop(Callable<T> task) throws Exception {
        return loop.submit(task).get(10, TimeUnit.SECONDS);
    }

    private void run(Runnable task) throws Exception {
        onLoop(() -> {
            task.run();
            return null;
        });
    }

    private RequestBodySpool spool(Path... dirs) {
        return new RequestBodySpool(loop, ByteBufAllocator.DEFAULT, List.of(dirs), LIMIT,
                new RequestBodySpool.Outcome() {
                    @Override
                    public void spooled(SpooledRequestBody body) {
                        spooled.add(body);
                    }

                    @Override
                    public void failed(IOException cause) {
                        failures.add(cause);
                    }
                });
    }

    /** Feeds {@code body} in pieces of the given sizes, cycling through them. */
    private void feed(RequestBodySpool spool, byte[] body, int... sizes) throws Exception {
        int at = 0;
        for (int i = 0; at < body.length; i++) {
            int n = Math.min(sizes[i % sizes.length], body.length - at);
            ByteBuf piece = Unpooled.directBuffer(n).writeBytes(body, at, n);
            run(() -> spool.onData(piece));
            at += n;
        }
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private long filesIn(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.count();
        }
    }

    /** Open fds of this JVM on deleted lightgate-upload files. */
    private static long openTempFiles() throws IOException {
        long n = 0;
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).toString().contains("lightgate-upload-")) {
                        n++;
                    }
                } catch (IOException closedMeanwhile) {
                    // gone while listing
                }
            }
        }
        return n;
    }

    /** A listener that records what it gets and pauses the body after every piece until told to go on. */
    private class Recorder implements RequestBody.Listener {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final CompletableFuture<Throwable> end = new CompletableFuture<>();
        final boolean pausing;
        RequestBody body;
        int pieces;

        Recorder(boolean pausing) {
            this.pausing = pausing;
        }

        @Override
        public void onData(ByteBuf data) {
            pieces++;
            byte[] b = new byte[data.readableBytes()];
            data.readBytes(b);
            data.release();
            bytes.writeBytes(b);
            if (pausing) {
                body.setReadable(false);
                // resumed from a later task, as a backend's writability change would
                loop.schedule(() -> body.setReadable(true), 1, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void onEnd() {
            end.complete(null);
        }

        @Override
        public void onFailed(Throwable cause) {
            end.complete(cause);
        }

        void listenTo(RequestBody b) throws Exception {
            body = b;
            run(() -> b.listen(this));
        }
    }

    @Test
    void aSmallBodyStaysInMemoryAndIsReplayedWhole() throws Exception {
        RequestBodySpool spool = spool(dir);
        byte[] body = "hello, spooled world".getBytes();
        feed(spool, body, 5, 7, 100);
        assertThat(spooled).isEmpty();
        run(spool::onEnd);
        assertThat(spooled).hasSize(1);
        SpooledRequestBody replay = spooled.getFirst();
        assertThat(replay.length()).isEqualTo(body.length);
        assertThat(onLoop(replay::holdsFile)).isFalse();
        assertThat(filesIn(dir)).isZero();
        Recorder r = new Recorder(false);
        r.listenTo(replay);
        assertThat(r.end.get(10, TimeUnit.SECONDS)).isNull();
        assertThat(r.bytes.toByteArray()).isEqualTo(body);
    }

    @Test
    void anEmptyChunkedBodyHasLengthZero() throws Exception {
        RequestBodySpool spool = spool(dir);
        run(spool::onEnd);
        SpooledRequestBody replay = spooled.getFirst();
        assertThat(replay.length()).isZero();
        Recorder r = new Recorder(false);
        r.listenTo(replay);
        assertThat(r.end.get(10, TimeUnit.SECONDS)).isNull();
        assertThat(r.bytes.size()).isZero();
    }

    @Test
    void aBodyOverTheLimitGoesToAnUnlinkedFileAndIsReplayedWithBackPressure() throws Exception {
        RequestBodySpool spool = spool(dir);
        byte[] body = random(300_001);
        feed(spool, body, 333, 1, 4097, 100);
        assertThat(onLoop(spool::holdsFile)).isTrue();
        assertThat(filesIn(dir)).as("the temp file is unlinked at once").isZero();
        assertThat(openTempFiles()).isEqualTo(1);
        run(spool::onEnd);
        SpooledRequestBody replay = spooled.getFirst();
        assertThat(replay.length()).isEqualTo(body.length);
        assertThat(onLoop(replay::holdsFile)).isTrue();
        Recorder r = new Recorder(true);
        r.listenTo(replay);
        assertThat(r.end.get(10, TimeUnit.SECONDS)).isNull();
        assertThat(r.bytes.toByteArray()).isEqualTo(body);
        assertThat(r.pieces).as("read in chunks of 64 KiB, one per resume").isEqualTo(5);
        assertThat(onLoop(replay::holdsFile)).isFalse();
        assertThat(openTempFiles()).isZero();
    }

    @Test
    void aBodyThatFailsMidWayClosesTheFileAndIsNotSpooled() throws Exception {
        RequestBodySpool spool = spool(dir);
        feed(spool, random(5000), 700);
        assertThat(openTempFiles()).isEqualTo(1);
        run(() -> spool.onFailed(new IOException("client closed the connection")));
        assertThat(onLoop(spool::holdsFile)).isFalse();
        assertThat(openTempFiles()).isZero();
        ByteBuf late = Unpooled.buffer().writeBytes(new byte[10]);
        run(() -> spool.onData(late)); // released, not kept
        assertThat(late.refCnt()).isZero();
        assertThat(spooled).isEmpty();
        assertThat(failures).isEmpty();
    }

    @Test
    void theExchangeEndingWhileCollectingDropsEverything() throws Exception {
        RequestBodySpool spool = spool(dir);
        feed(spool, random(500), 100);
        run(spool::exchangeDone);
        run(spool::onEnd);
        assertThat(spooled).isEmpty();
    }

    @Test
    void theExchangeEndingMidReplayClosesTheFileAndTellsTheListener() throws Exception {
        RequestBodySpool spool = spool(dir);
        feed(spool, random(200_000), 8192);
        run(spool::onEnd);
        SpooledRequestBody replay = spooled.getFirst();
        Recorder r = new Recorder(false) {
            @Override
            public void onData(ByteBuf data) {
                super.onData(data);
                body.setReadable(false); // a backend that never drains
            }
        };
        r.listenTo(replay);
        assertThat(r.pieces).isEqualTo(1);
        assertThat(openTempFiles()).isEqualTo(1);
        run(spool::exchangeDone);
        assertThat(r.end.get(10, TimeUnit.SECONDS)).isInstanceOf(IOException.class);
        assertThat(openTempFiles()).isZero();
    }

    @Test
    void aBodyNeverListenedToIsReleasedWhenTheExchangeEnds() throws Exception {
        RequestBodySpool spool = spool(dir);
        feed(spool, random(500), 100); // memory only
        run(spool::onEnd);
        run(spool::exchangeDone);
        Recorder late = new Recorder(false);
        late.listenTo(spooled.getFirst());
        assertThat(late.end.get(10, TimeUnit.SECONDS)).isInstanceOf(IOException.class);
    }

    @Test
    void anUnusableDirectoryFailsTheSpoolNamingIt() throws Exception {
        // not a directory: unusable even for root, who writes into read-only directories
        Path notADir = Files.writeString(dir.resolve("file"), "x").resolve("uploads");
        RequestBodySpool spool = spool(notADir);
        feed(spool, random(LIMIT), 512); // fits in memory
        assertThat(failures).isEmpty();
        feed(spool, random(10), 10);
        assertThat(failures).hasSize(1);
        assertThat(failures.getFirst().getMessage()).contains(notADir.toString());
        feed(spool, random(5000), 1000); // what still arrives is released
        run(spool::onEnd);
        assertThat(spooled).isEmpty();
        assertThat(openTempFiles()).isZero();
    }

    @Test
    void theNextDirectoryIsTriedWhenTheFirstFails() throws Exception {
        Path missing = dir.resolve("missing");
        Path good = Files.createDirectory(dir.resolve("good"));
        RequestBodySpool spool = spool(missing, good);
        byte[] body = random(LIMIT * 3);
        feed(spool, body, 1000);
        run(spool::onEnd);
        assertThat(failures).isEmpty();
        Recorder r = new Recorder(false);
        r.listenTo(spooled.getFirst());
        assertThat(r.end.get(10, TimeUnit.SECONDS)).isNull();
        assertThat(r.bytes.toByteArray()).isEqualTo(body);
    }
}
