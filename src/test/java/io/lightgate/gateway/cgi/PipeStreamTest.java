package io.lightgate.gateway.cgi;

import io.lightgate.gateway.BackendTimeoutException;
import io.lightgate.os.EventLoops;
import io.lightgate.os.ExitStatus;
import io.lightgate.os.Pipe;
import io.lightgate.os.Posix;
import io.lightgate.testing.LeakGuard;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.FileDescriptor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.lightgate.gateway.cgi.CgiProcesses.exitOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** PipeStream over the pipes of real programs (/bin/cat, sh): ordering, back-pressure, EOF, EPIPE, timeouts. */
@ExtendWith(LeakGuard.class)
class PipeStreamTest {
    private static CgiProcesses cgi;

    @BeforeAll
    static void loop() {
        assumeTrue(Epoll.isAvailable(), "the epoll transport");
        cgi = new CgiProcesses();
    }

    @AfterAll
    static void stop() {
        if (cgi != null) {
            cgi.close();
        }
    }

    @BeforeEach
    void baseline() throws Exception {
        cgi.baseline();
    }

    @AfterEach
    void clean() throws Exception {
        cgi.assertCleanAfterTest();
    }

    private static ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    @Test
    void tenThousandSmallMessagesPingPongThroughCat() throws Exception {
        CgiProcess cat = cgi.cat();
        PipeStream stream = cat.stream();
        int rounds = 10_000;
        byte[] message = new byte[32];
        CompletableFuture<Integer> done = new CompletableFuture<>();
        cgi.run(() -> stream.listen(new StreamRecorder() {
            int got;
            int round;

            @Override
            void received(ByteBuf data) {
                byte[] bytes = new byte[data.readableBytes()];
                data.getBytes(data.readerIndex(), bytes);
                for (int i = 0; i < bytes.length; i++) {
                    if (bytes[i] != (byte) (round + got + i)) {
                        done.completeExceptionally(new AssertionError("wrong byte in round " + round));
                    }
                }
                got += data.readableBytes();
                if (got == message.length) {
                    got = 0;
                    if (++round == rounds) {
                        done.complete(round);
                    } else {
                        send(stream, message, round);
                    }
                }
            }
        }));
        cgi.run(() -> send(stream, message, 0));
        assertThat(done.get(60, TimeUnit.SECONDS)).isEqualTo(rounds);
        assertThat(cgi.onLoop(stream::bytesIn)).isEqualTo(32L * rounds);
        assertThat(cgi.onLoop(stream::bytesOut)).isEqualTo(32L * rounds);
        cgi.run(stream::endRequestBody);
        assertThat(exitOf(cat)).isEqualTo(new ExitStatus.Exited(0));
    }

    private static void send(PipeStream stream, byte[] message, int round) {
        for (int i = 0; i < message.length; i++) {
            message[i] = (byte) (round + i);
        }
        stream.write(Unpooled.wrappedBuffer(message.clone()));
        stream.flush();
    }

    @Test
    void sixteenMebibytesEachWayWithAPausingReaderStayBounded() throws Exception {
        CgiProcess cat = cgi.cat();
        PipeStream stream = cat.stream();
        long total = 16L << 20;
        int chunk = 8192;
        AtomicLong maxQueued = new AtomicLong();
        AtomicLong mismatches = new AtomicLong();
        StreamRecorder reader = new StreamRecorder() {
            long position;
            long nextPause = 1 << 20;

            @Override
            void received(ByteBuf data) {
                // bulk copies: under PARANOID leak detection every ByteBuf access records a stack trace
                byte[] bytes = new byte[data.readableBytes()];
                data.getBytes(data.readerIndex(), bytes);
                for (byte b : bytes) {
                    if (b != pattern(position++)) {
                        mismatches.incrementAndGet();
                    }
                }
                if (position >= nextPause) {
                    // a slow client: stop reading for a while, which must stop cat and then our writes
                    nextPause += 1 << 20;
                    stream.setReadable(false);
                    stream.eventLoop().schedule(() -> stream.setReadable(true), 30, TimeUnit.MILLISECONDS);
                }
            }
        };
        Runnable[] feed = new Runnable[1];
        long[] sent = {0};
        feed[0] = () -> {
            while (sent[0] < total && stream.isWritable()) {
                byte[] bytes = new byte[chunk];
                for (int i = 0; i < chunk; i++) {
                    bytes[i] = pattern(sent[0] + i);
                }
                ByteBuf buf = io.netty.buffer.ByteBufAllocator.DEFAULT.directBuffer(chunk).writeBytes(bytes);
                sent[0] += chunk;
                stream.write(buf);
                maxQueued.accumulateAndGet(stream.queuedBytes(), Math::max);
            }
            stream.flush();
            if (sent[0] == total) {
                stream.endRequestBody();
            }
        };
        cgi.run(() -> {
            stream.listen(new StreamRecorder() {
                @Override
                public void onData(ByteBuf data) {
                    reader.onData(data);
                }

                @Override
                public void onEndOfInput() {
                    reader.onEndOfInput();
                }

                @Override
                public void onWritabilityChanged(boolean writable) {
                    reader.onWritabilityChanged(writable);
                    if (writable) {
                        feed[0].run();
                    }
                }

                @Override
                public void onFailed(Throwable cause) {
                    reader.onFailed(cause);
                }

                @Override
                public void onClosed() {
                    reader.onClosed();
                }
            });
            feed[0].run();
        });
        reader.ended.get(120, TimeUnit.SECONDS);
        reader.closed.get(5, TimeUnit.SECONDS);
        assertThat(reader.bytes).isEqualTo(total);
        assertThat(mismatches.get()).isZero();
        assertThat(reader.events).contains("writable:false", "writable:true").doesNotContain("failed")
                .endsWith("end", "closed");
        assertThat(maxQueued.get()).isLessThanOrEqualTo(PipeStream.HIGH_WATER_MARK + chunk);
        assertThat(exitOf(cat)).isEqualTo(new ExitStatus.Exited(0));
    }

    private static byte pattern(long position) {
        return (byte) (position * 31 + (position >>> 13));
    }

    @Test
    void closingStdinEndsCatAndItsOutputThenTheStreamClosesItself() throws Exception {
        CgiProcess cat = cgi.cat();
        PipeStream stream = cat.stream();
        StreamRecorder recorder = new StreamRecorder();
        cgi.run(() -> {
            stream.listen(recorder);
            stream.write(text("hello "));
            stream.write(text("world"));
            stream.flush();
            stream.shutdownOutput();
            stream.write(text("dropped after shutdown"));
        });
        recorder.closed.get(10, TimeUnit.SECONDS);
        assertThat(recorder.text()).isEqualTo("hello world");
        assertThat(recorder.events).containsExactly("end", "closed");
        assertThat(exitOf(cat)).isEqualTo(new ExitStatus.Exited(0));
    }

    @Test
    void nothingIsReadBeforeListenAndQueuedOutputComesFirst() throws Exception {
        CgiProcess sh = cgi.sh("printf early; read line; printf ' %s' \"$line\"");
        PipeStream stream = sh.stream();
        Thread.sleep(100); // "early" is in the pipe by now
        StreamRecorder recorder = new StreamRecorder();
        cgi.run(() -> {
            stream.write(text("late\n"));
            stream.endRequestBody();
            stream.listen(recorder);
        });
        recorder.closed.get(10, TimeUnit.SECONDS);
        assertThat(recorder.text()).isEqualTo("early late");
        assertThat(exitOf(sh)).isEqualTo(new ExitStatus.Exited(0));
    }

    @Test
    void aProgramThatIgnoresStdinStillAnswersAndTheRestOfTheBodyIsDropped() throws Exception {
        CgiProcess sh = cgi.sh("exec 0<&-; echo answer; sleep 0.2");
        PipeStream stream = sh.stream();
        StreamRecorder recorder = new StreamRecorder();
        cgi.run(() -> stream.listen(recorder));
        Thread.sleep(100); // stdin is closed on its side by now
        cgi.run(() -> {
            for (int i = 0; i < 40; i++) {
                stream.write(Unpooled.wrappedBuffer(new byte[8192]));
            }
            stream.flush();
        });
        assertThat(cgi.onLoop(stream::isWritable)).as("dropped bytes do not hold back the writer").isTrue();
        assertThat(cgi.onLoop(stream::queuedBytes)).isZero();
        cgi.run(() -> stream.write(text("more")));
        recorder.ended.get(10, TimeUnit.SECONDS);
        recorder.closed.get(5, TimeUnit.SECONDS);
        assertThat(recorder.text()).isEqualTo("answer\n");
        assertThat(recorder.events).doesNotContain("failed").endsWith("end", "closed");
        assertThat(exitOf(sh)).isEqualTo(new ExitStatus.Exited(0));
    }

    @Test
    void aProgramKilledMidStreamEndsItsOutputAndReportsTheSignal() throws Exception {
        CgiProcess cat = cgi.cat();
        PipeStream stream = cat.stream();
        CompletableFuture<Void> echoed = new CompletableFuture<>();
        StreamRecorder recorder = new StreamRecorder() {
            @Override
            void received(ByteBuf data) {
                super.received(data);
                echoed.complete(null);
            }
        };
        cgi.run(() -> {
            stream.listen(recorder);
            stream.write(text("before"));
            stream.flush();
        });
        echoed.get(10, TimeUnit.SECONDS);
        assertThat(cgi.onLoop(() -> cat.signal(Posix.SIGKILL))).isTrue();
        recorder.ended.get(10, TimeUnit.SECONDS);
        assertThat(exitOf(cat)).isEqualTo(new ExitStatus.Signaled(Posix.SIGKILL, false));
        assertThat(cgi.onLoop(() -> cat.signal(Posix.SIGTERM))).as("no signal after reaping").isFalse();
        // its stdin is gone too: a write is dropped (EPIPE) and that ends the stream
        cgi.run(() -> {
            stream.write(text("after"));
            stream.flush();
        });
        recorder.closed.get(5, TimeUnit.SECONDS);
        assertThat(recorder.text()).isEqualTo("before");
        assertThat(recorder.events).containsExactly("end", "closed");
    }

    @Test
    void readTimeoutFailsTheStreamWhenTheProgramSaysNothing() throws Exception {
        CgiProcess sleeper = cgi.start(CgiProcesses.limits(1, 0, Duration.ofMillis(200)), "/bin/sleep", "60");
        PipeStream stream = sleeper.stream();
        StreamRecorder recorder = new StreamRecorder();
        long start = System.nanoTime();
        cgi.run(() -> stream.listen(recorder));
        Throwable cause = recorder.failed.get(10, TimeUnit.SECONDS);
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(cause).isInstanceOf(BackendTimeoutException.class);
        assertThat(((BackendTimeoutException) cause).kind()).isEqualTo(BackendTimeoutException.Kind.READ);
        assertThat(elapsedMillis).isBetween(950L, 3000L);
        recorder.closed.get(5, TimeUnit.SECONDS);
        assertThat(recorder.events).containsExactly("failed", "closed");
        sleeper.terminate();
        assertThat(exitOf(sleeper)).isEqualTo(new ExitStatus.Signaled(Posix.SIGTERM, false));
    }

    @Test
    void aPausedReaderIsNotTimedOut() throws Exception {
        CgiProcess sh = cgi.start(CgiProcesses.limits(1, 0, Duration.ofMillis(200)), "/bin/sh", "-c",
                "echo one; sleep 0.5; echo two");
        PipeStream stream = sh.stream();
        StreamRecorder recorder = new StreamRecorder();
        cgi.run(() -> {
            stream.setReadable(false);
            stream.listen(recorder);
        });
        Thread.sleep(1600);
        assertThat(recorder.events).isEmpty();
        cgi.run(() -> {
            stream.setReadable(true);
            stream.endRequestBody();
        });
        recorder.closed.get(5, TimeUnit.SECONDS);
        assertThat(recorder.text()).isEqualTo("one\ntwo\n");
        assertThat(recorder.events).containsExactly("end", "closed");
        assertThat(exitOf(sh)).isEqualTo(new ExitStatus.Exited(0));
    }

    @Test
    void writeTimeoutFailsTheStreamWhenTheProgramTakesNoInput() throws Exception {
        CgiProcess sleeper = cgi.start(CgiProcesses.limits(0, 1, Duration.ofMillis(200)), "/bin/sleep", "60");
        PipeStream stream = sleeper.stream();
        StreamRecorder recorder = new StreamRecorder();
        cgi.run(() -> {
            stream.listen(recorder);
            // more than a pipe holds (64 KiB): the rest waits in the queue
            for (int i = 0; i < 12; i++) {
                stream.write(Unpooled.wrappedBuffer(new byte[8192]));
            }
            stream.flush();
        });
        Throwable cause = recorder.failed.get(10, TimeUnit.SECONDS);
        assertThat(cause).isInstanceOf(BackendTimeoutException.class);
        assertThat(((BackendTimeoutException) cause).kind()).isEqualTo(BackendTimeoutException.Kind.WRITE);
        recorder.closed.get(5, TimeUnit.SECONDS);
        assertThat(cgi.onLoop(stream::queuedBytes)).as("queue released").isZero();
        sleeper.terminate();
        assertThat(exitOf(sleeper)).isEqualTo(new ExitStatus.Signaled(Posix.SIGTERM, false));
    }

    @Test
    void closeDropsQueuedBytesAndClosesBothPipesOnce() throws Exception {
        CgiProcess sleeper = cgi.start(CgiProcess.Limits.NONE, "/bin/sleep", "60");
        PipeStream stream = sleeper.stream();
        StreamRecorder recorder = new StreamRecorder();
        cgi.run(() -> {
            stream.listen(recorder);
            for (int i = 0; i < 20; i++) {
                stream.write(Unpooled.wrappedBuffer(new byte[8192]));
            }
            stream.flush();
            stream.close();
            stream.close();
            stream.write(text("after close"));
        });
        recorder.closed.get(5, TimeUnit.SECONDS);
        // 160 KiB queued before the flush crossed the high-water mark; close tells nobody it is writable again
        assertThat(recorder.events).containsExactly("writable:false", "closed");
        assertThat(cgi.onLoop(stream::queuedBytes)).isZero();
        sleeper.terminate();
        assertThat(exitOf(sleeper)).isEqualTo(new ExitStatus.Signaled(Posix.SIGTERM, false));
    }

    @Test
    void aStoppingLoopClosesBothPipesEvenWhenTheListenerThrows() throws Exception {
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EventLoops.epoll());
        IoEventLoop loop = (IoEventLoop) group.next();
        Pipe toProgram = Pipe.open();
        Pipe fromProgram = Pipe.open();
        try {
            PipeStream stream = loop.submit(() -> PipeStream.open(loop, ByteBufAllocator.DEFAULT,
                    toProgram.writeFd(), fromProgram.readFd(), 0, 0)).get(5, TimeUnit.SECONDS);
            StreamRecorder recorder = new StreamRecorder() {
                @Override
                public void onFailed(Throwable cause) {
                    super.onFailed(cause);
                    throw new IllegalStateException("a listener that fails in turn");
                }
            };
            loop.submit(() -> stream.listen(recorder)).get(5, TimeUnit.SECONDS);

            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();

            assertThat(recorder.failed.get(5, TimeUnit.SECONDS)).hasMessageContaining("event loop shut down");
            // EOF (-1, not 0 for "nothing yet") on the program's stdin: our write end is closed; EPIPE on its
            // stdout: our read end is closed
            Posix.setNonBlocking(toProgram.readFd());
            assertThat(new FileDescriptor(toProgram.readFd()).read(ByteBuffer.allocateDirect(8), 0, 8)).isEqualTo(-1);
            assertThatThrownBy(() -> new FileDescriptor(fromProgram.writeFd())
                    .write(ByteBuffer.allocateDirect(1).put((byte) 1).flip(), 0, 1))
                    .hasMessageContaining("Broken pipe");
        } finally {
            Posix.close(toProgram.readFd());
            Posix.close(fromProgram.writeFd());
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
