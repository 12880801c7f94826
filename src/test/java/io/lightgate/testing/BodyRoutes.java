package io.lightgate.testing;

import io.lightgate.http.BodyProducer;
import io.lightgate.http.BodySink;
import io.lightgate.http.Exchange;
import io.lightgate.http.RequestBody;
import io.lightgate.http.Response;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * TestModule's routes for streamed bodies:
 * <ul>
 * <li>{@code /body-echo} streams the request body back as it arrives (a Streamed body of unknown length),
 *     with back-pressure both ways;</li>
 * <li>{@code /body-count?listenAfterMs=..&pauseMs=..} reads the whole body and answers "length crc32" (hex);
 *     it may listen late, and pause reading for pauseMs after the first bytes;</li>
 * <li>{@code /stream?n=..&size=..&delayMs=..&length=known|unknown|short|long|abort&status=..} produces n chunks of
 *     size bytes ({@link #patternByte}), lying about its length or aborting when asked.</li>
 * </ul>
 * What happens to bodies and producers is recorded in {@link #EVENTS}.
 */
public final class BodyRoutes {
    /** "cancel /stream", "started /stream", "failed /body-count: ..." and so on, in order. */
    public static final List<String> EVENTS = new CopyOnWriteArrayList<>();

    private BodyRoutes() { }

    /** The byte at {@code offset} of every /stream body. */
    public static byte patternByte(long offset) {
        return (byte) ('a' + offset % 26);
    }

    /** Answers the request if it is one of these routes. */
    static boolean handle(Exchange ex) {
        return switch (ex.request().path()) {
            case "/body-echo" -> { bodyEcho(ex); yield true; }
            case "/body-count" -> { bodyCount(ex); yield true; }
            case "/stream" -> { stream(ex); yield true; }
            default -> false;
        };
    }

    static Map<String, String> query(Exchange ex) {
        Map<String, String> q = new HashMap<>();
        for (String pair : ex.request().query().split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                q.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return q;
    }

    private static void bodyEcho(Exchange ex) {
        RequestBody body = ex.requestBody();
        Response r = new Response(200).body(new Response.Streamed(-1, new BodyProducer() {
            @Override
            public void start(BodySink sink) {
                EVENTS.add("started /body-echo");
                body.listen(new RequestBody.Listener() {
                    @Override
                    public void onData(ByteBuf data) {
                        sink.write(data);
                        sink.flush();
                        if (!sink.isWritable()) {
                            body.setReadable(false);
                        }
                    }

                    @Override
                    public void onEnd() {
                        EVENTS.add("end /body-echo");
                        sink.end();
                    }

                    @Override
                    public void onFailed(Throwable cause) {
                        EVENTS.add("failed /body-echo: " + cause.getMessage());
                        sink.abort("request body failed: " + cause.getMessage());
                    }
                });
            }

            @Override
            public void onWritabilityChanged(boolean writable) {
                body.setReadable(writable);
            }

            @Override
            public void cancel() {
                EVENTS.add("cancel /body-echo");
            }
        }));
        r.headers().set("Content-Type", "application/octet-stream");
        ex.respond(r);
    }

    private static void bodyCount(Exchange ex) {
        Map<String, String> q = query(ex);
        long listenAfterMs = Long.parseLong(q.getOrDefault("listenAfterMs", "0"));
        long pauseMs = Long.parseLong(q.getOrDefault("pauseMs", "0"));
        RequestBody body = ex.requestBody();
        RequestBody.Listener counter = new RequestBody.Listener() {
            private final CRC32 crc = new CRC32();
            private long length;
            private boolean paused;

            @Override
            public void onData(ByteBuf data) {
                length += data.readableBytes();
                crc.update(data.nioBuffer());
                data.release();
                if (pauseMs > 0 && !paused) {
                    paused = true;
                    body.setReadable(false);
                    ex.eventLoop().schedule(() -> body.setReadable(true), pauseMs, TimeUnit.MILLISECONDS);
                }
            }

            @Override
            public void onEnd() {
                EVENTS.add("end /body-count " + length);
                Response r = new Response(200).body(new Response.Bytes(Unpooled.copiedBuffer(
                        length + " " + Long.toHexString(crc.getValue()), StandardCharsets.US_ASCII)));
                r.headers().set("Content-Type", "text/plain");
                ex.respond(r);
            }

            @Override
            public void onFailed(Throwable cause) {
                EVENTS.add("failed /body-count: " + cause.getMessage());
                // the core may have answered already (413) or the client is gone: then this is dropped
                ex.respondError(400);
            }
        };
        if (listenAfterMs > 0) {
            ex.eventLoop().schedule(() -> body.listen(counter), listenAfterMs, TimeUnit.MILLISECONDS);
        } else {
            body.listen(counter);
        }
    }

    private static void stream(Exchange ex) {
        Map<String, String> q = query(ex);
        int n = Integer.parseInt(q.getOrDefault("n", "4"));
        int size = Integer.parseInt(q.getOrDefault("size", "10"));
        long delayMs = Long.parseLong(q.getOrDefault("delayMs", "0"));
        String lengthMode = q.getOrDefault("length", "unknown");
        int status = Integer.parseInt(q.getOrDefault("status", "200"));
        long total = (long) n * size;
        long declared = switch (lengthMode) {
            case "known" -> total;
            case "short" -> total + 10; // ends before the declared length
            case "long" -> total - 1; // writes more than it declared
            default -> -1;
        };
        Response r = new Response(status).body(new Response.Streamed(declared,
                new PatternProducer(ex, n, size, delayMs, lengthMode.equals("abort"))));
        r.headers().set("Content-Type", "application/octet-stream");
        ex.respond(r);
    }

    /** Writes n chunks of the pattern, one every delayMs (or as fast as the client takes them). */
    private static final class PatternProducer implements BodyProducer {
        private final Exchange ex;
        private final int n;
        private final int size;
        private final long delayMs;
        private final boolean abortAtEnd;
        private BodySink sink;
        private int sent;
        private long offset;
        private boolean cancelled;
        private boolean scheduled;

        PatternProducer(Exchange ex, int n, int size, long delayMs, boolean abortAtEnd) {
            this.ex = ex;
            this.n = n;
            this.size = size;
            this.delayMs = delayMs;
            this.abortAtEnd = abortAtEnd;
        }

        @Override
        public void start(BodySink sink) {
            EVENTS.add("started /stream");
            this.sink = sink;
            pump();
        }

        private void pump() {
            scheduled = false;
            while (!cancelled && sent < n && sink.isWritable()) {
                ByteBuf chunk = Unpooled.buffer(size);
                for (int i = 0; i < size; i++) {
                    chunk.writeByte(patternByte(offset++));
                }
                sink.write(chunk);
                sink.flush();
                sent++;
                if (delayMs > 0 && sent < n) {
                    scheduled = true;
                    ex.eventLoop().schedule(this::pump, delayMs, TimeUnit.MILLISECONDS);
                    return;
                }
            }
            if (!cancelled && sent == n) {
                sent++; // once
                if (abortAtEnd) {
                    EVENTS.add("abort /stream");
                    sink.abort("test producer aborts");
                } else {
                    sink.end();
                }
            }
        }

        @Override
        public void onWritabilityChanged(boolean writable) {
            if (writable && !scheduled && sink != null) {
                pump();
            }
        }

        @Override
        public void cancel() {
            cancelled = true;
            EVENTS.add("cancel /stream");
        }
    }
}
