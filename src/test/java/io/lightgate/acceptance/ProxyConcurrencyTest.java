package io.lightgate.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.lightgate.testing.OpenFds;
import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.PythonWebSocketClient;
import io.lightgate.testing.PythonWebSocketServer;
import io.lightgate.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * 20 WebSocket tunnels (JDK client, through mod_proxy to python3-websockets' echo server) and 20 workers making
 * plain keep-alive GETs (JDK HttpClient, through mod_proxy to the JDK's own HTTP server) on the same lightgate
 * listener at the same time: every echo and every body correct. Afterwards the JVM's descriptors are back to
 * what they were before the round (lightgate runs in this JVM) and no child or zombie is left behind.
 */
@ExtendWith(LeakGuard.class)
class ProxyConcurrencyTest {
    private static final int TUNNELS = 20;
    private static final int PLAIN_WORKERS = 20;
    private static final int MESSAGES_PER_TUNNEL = 10;
    private static final int REQUESTS_PER_WORKER = 10;

    /** The plain backend's body for /plain/N: its size varies with N, its bytes with the position. */
    static byte[] plainBody(int n) {
        int size = (n * 7919) % 150_000 + n;
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) ((i * 31 + n) % 251);
        }
        return b;
    }

    /** The JDK's HTTP server answering GET /plain/N with {@link #plainBody}. */
    static HttpServer plainBackend(ExecutorService executor) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/plain/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                byte[] body = plainBody(Integer.parseInt(path.substring("/plain/".length())));
                exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
                exchange.getResponseHeaders().add("X-Backend-Path", path);
                exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        server.setExecutor(executor);
        server.start();
        return server;
    }

    static String proxyConfig(int wsPort, int plainPort) {
        return "server.modules += (\"mod_proxy\")\n"
                + "proxy.server = ( \"/ws/\" => (( \"host\" => \"127.0.0.1\", \"port\" => \"" + wsPort + "\" )),\n"
                + "                 \"/plain/\" => (( \"host\" => \"127.0.0.1\", \"port\" => \"" + plainPort + "\" )) )\n"
                + "proxy.header = ( \"upgrade\" => \"enable\" )\n";
    }

    /** Whole messages from the JDK client, text as its UTF-8 bytes. */
    static final class Echoes implements WebSocket.Listener {
        final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                received.add(text.toString());
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            partial.writeBytes(b);
            if (last) {
                received.add(partial.toByteArray());
                partial.reset();
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            received.add("close " + code);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            received.add("error " + error);
        }

        Object next() throws InterruptedException {
            Object o = received.poll(30, TimeUnit.SECONDS);
            assertThat(o).as("an echo within 30 s").isNotNull();
            return o;
        }
    }

    /** One tunnel: open, wait for everyone, ping-pong text and binary messages, close with 1000. */
    private static void tunnel(HttpClient http, URI url, int id, CyclicBarrier allOpen) throws Exception {
        Echoes echoes = new Echoes();
        WebSocket ws = http.newWebSocketBuilder().buildAsync(url, echoes).get(20, TimeUnit.SECONDS);
        allOpen.await(30, TimeUnit.SECONDS);
        Random random = new Random(id);
        for (int i = 0; i < MESSAGES_PER_TUNNEL; i++) {
            int message = i;
            int size = random.nextInt(64 * 1024);
            if (i % 2 == 0) {
                String text = ("tunnel " + id + " message " + i + " é€😀 ").repeat(size / 40 + 1);
                ws.sendText(text, true).get(20, TimeUnit.SECONDS);
                assertThat(echoes.next()).as("tunnel %d text %d", id, i)
                        .isInstanceOfSatisfying(String.class, got -> SameBytes.assertSame(
                                got.getBytes(StandardCharsets.UTF_8), text.getBytes(StandardCharsets.UTF_8),
                                "tunnel %d text %d", id, message));
            } else {
                byte[] bytes = new byte[size];
                random.nextBytes(bytes);
                ws.sendBinary(ByteBuffer.wrap(bytes), true).get(20, TimeUnit.SECONDS);
                assertThat(echoes.next()).as("tunnel %d binary %d", id, i)
                        .isInstanceOfSatisfying(byte[].class,
                                got -> SameBytes.assertSame(got, bytes, "tunnel %d binary %d", id, message));
            }
        }
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
        assertThat(echoes.next()).isEqualTo("close 1000");
    }

    /** One worker: waits for everyone, then GETs /plain/N in turn on the shared keep-alive client. */
    private static void plainRequests(HttpClient http, int port, int worker, CyclicBarrier allOpen) throws Exception {
        allOpen.await(30, TimeUnit.SECONDS);
        for (int i = 0; i < REQUESTS_PER_WORKER; i++) {
            int n = worker * REQUESTS_PER_WORKER + i;
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/plain/" + n)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(r.statusCode()).as("GET /plain/%d", n).isEqualTo(200);
            assertThat(r.headers().firstValue("X-Backend-Path")).hasValue("/plain/" + n);
            SameBytes.assertSame(r.body(), plainBody(n), "body of /plain/%d", n);
        }
    }

    /** A round of {@code tunnels} tunnels and {@code workers} plain workers at once; closes its clients. */
    private static void round(int port, int tunnels, int workers) throws Exception {
        CyclicBarrier allOpen = new CyclicBarrier(tunnels + workers);
        URI ws = URI.create("ws://127.0.0.1:" + port + "/ws/echo");
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
                HttpClient wsClient = HttpClient.newHttpClient();
                HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            List<Future<?>> all = new ArrayList<>();
            for (int t = 0; t < tunnels; t++) {
                int id = t;
                all.add(pool.submit(() -> {
                    tunnel(wsClient, ws, id, allOpen);
                    return null;
                }));
            }
            for (int w = 0; w < workers; w++) {
                int id = w;
                all.add(pool.submit(() -> {
                    plainRequests(plain, port, id, allOpen);
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get(120, TimeUnit.SECONDS);
            }
        }
    }

    private static Set<Long> children() {
        try (Stream<ProcessHandle> c = ProcessHandle.current().children()) {
            return c.map(ProcessHandle::pid).collect(Collectors.toSet());
        }
    }

    /** Our children in state Z (exited, never reaped), from /proc. */
    private static List<Long> zombieChildren() throws IOException {
        long self = ProcessHandle.current().pid();
        List<Long> zombies = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(d -> d.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (fields[0].equals("Z") && Long.parseLong(fields[1]) == self) {
                        zombies.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (NoSuchFileException gone) {
                    // exited while we listed
                }
            }
        }
        return zombies;
    }

    @Test
    void twentyTunnelsAndTwentyPlainWorkersAtOnceThenEveryDescriptorIsBack() throws Exception {
        PythonWebSocketClient.assumeAvailable();
        ExecutorService backendThreads = Executors.newFixedThreadPool(8);
        HttpServer plain = plainBackend(backendThreads);
        try (PythonWebSocketServer echo = PythonWebSocketServer.start("--max-size", Integer.toString(1 << 20))) {
            Set<Long> childrenBefore = children();
            try (TestServer proxy = TestServer.start(proxyConfig(echo.port(), plain.getAddress().getPort()))) {
                round(proxy.port(), 2, 2); // warm-up: event loops, lazily opened files, the clients' classes
                long before = awaitFdsSettle();

                round(proxy.port(), TUNNELS, PLAIN_WORKERS);

                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                long now = OpenFds.count();
                while (now > before && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                    now = OpenFds.count();
                }
                assertThat(now).as("open fds after the round (before: %d): %s", before, OpenFds.describe())
                        .isLessThanOrEqualTo(before);
                assertThat(proxy.errorLines()).as("error log").noneMatch(l -> l.contains("Exception"));
            }
            assertThat(children()).as("children after the server stopped").isEqualTo(childrenBefore);
            assertThat(zombieChildren()).as("zombie children").isEmpty();
        } finally {
            plain.stop(0);
            backendThreads.shutdownNow();
        }
    }

    /** The fd count once it has stopped falling (connections of the warm-up closing in the background). */
    private static long awaitFdsSettle() throws Exception {
        long last = OpenFds.count();
        for (int i = 0; i < 40; i++) {
            Thread.sleep(100);
            long now = OpenFds.count();
            if (now == last) {
                return now;
            }
            last = now;
        }
        return last;
    }
}
