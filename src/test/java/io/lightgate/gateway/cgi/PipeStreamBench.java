package io.lightgate.gateway.cgi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * CPU per round trip of a ping-pong through /bin/cat over PipeStream: utime+stime of this JVM and of cat
 * from /proc/PID/stat (not wall time). Run: java -cp target/classes:target/test-classes:DEPS
 * io.lightgate.gateway.cgi.PipeStreamBench [rounds]. Not a test: numbers for docs and tuning.
 */
public final class PipeStreamBench {
    private PipeStreamBench() { }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        try (CgiProcesses cgi = new CgiProcesses()) {
            for (int size : new int[] {32, 4096, 32, 4096}) {
                measure(cgi, size, rounds);
            }
        }
    }

    private static void measure(CgiProcesses cgi, int size, int rounds) throws Exception {
        CgiProcess cat = cgi.cat();
        PipeStream stream = cat.stream();
        byte[] message = new byte[size];
        CompletableFuture<Void> done = new CompletableFuture<>();
        long[] cpuBefore = new long[2];
        long[] start = new long[1];
        cgi.run(() -> stream.listen(new StreamRecorder() {
            int got;
            int round;

            @Override
            public void onData(ByteBuf data) {
                got += data.readableBytes();
                data.release();
                if (got == size) {
                    got = 0;
                    if (++round == 1000) {
                        cpuBefore[0] = ticks("self");
                        cpuBefore[1] = ticks(String.valueOf(cat.pid()));
                        start[0] = System.nanoTime();
                    }
                    if (round == rounds + 1000) {
                        done.complete(null);
                    } else {
                        stream.write(Unpooled.wrappedBuffer(message));
                        stream.flush();
                    }
                }
            }
        }));
        cgi.run(() -> {
            stream.write(Unpooled.wrappedBuffer(message));
            stream.flush();
        });
        done.get(300, TimeUnit.SECONDS);
        long jvm = ticks("self") - cpuBefore[0];
        long child = ticks(String.valueOf(cat.pid())) - cpuBefore[1];
        long wall = System.nanoTime() - start[0];
        cgi.run(stream::endRequestBody);
        cat.exit().get(10, TimeUnit.SECONDS);
        // clock ticks are 10 ms
        System.out.printf("%5d B: jvm %.2f us/rt, cat %.2f us/rt, wall %.2f us/rt (%d rounds)%n", size,
                jvm * 10_000.0 / rounds, child * 10_000.0 / rounds, wall / 1000.0 / rounds, rounds);
    }

    private static long ticks(String pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
