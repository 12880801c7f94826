package io.lightgate.gateway.cgi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP server acting as a CGI program for {@link TestCgiModule}: it reads the line "METHOD target" and then
 * behaves as the script named by the target path's last segment, reading the request body from the socket
 * (stdin) and writing CGI output to it (stdout). One thread per connection. Scripts:
 * <ul>
 * <li>{@code hello}: reads stdin to its end, answers "read N bytes" with a Content-Type</li>
 * <li>{@code echo}: writes a head, then copies stdin to stdout until stdin ends</li>
 * <li>{@code big}: 8 MiB of {@link #pattern} with a Content-Length</li>
 * <li>{@code nph}: an NPH "HTTP/1.1 201 Created" response</li>
 * <li>{@code location}: {@code Location: /elsewhere} alone</li>
 * <li>{@code garbage}: a head with a line that is no header</li>
 * <li>{@code silent}: closes without a byte</li>
 * <li>{@code hang}: writes nothing and reads stdin until it ends (send a body shorter than announced)</li>
 * <li>{@code too-long}: Content-Length 5 and 11 body bytes</li>
 * <li>{@code upgrade}: Status 101 + Upgrade (Upgrade first), "ready" after the head, then echoes stdin</li>
 * <li>{@code upgrade-refused}: a 200 head, then waits for stdin's end and writes "stdin ended"</li>
 * <li>{@code crash-after-101}: Status 101 + Upgrade, then closes</li>
 * <li>{@code sendfile}: {@code X-Sendfile} with the query (decoded) as the path</li>
 * </ul>
 */
final class ScriptedCgiServer implements AutoCloseable {
    static final int BIG = 8 << 20;

    static byte pattern(long i) {
        return (byte) ('a' + i % 23);
    }

    private final ServerSocket server;
    private final Thread acceptor;
    /** Script connections that ended (the peer closed or the script finished). */
    final AtomicInteger finished = new AtomicInteger();
    /** Whether each hang script saw its peer close (true) or was still waiting. */
    final List<String> events = new CopyOnWriteArrayList<>();
    /** "grow" writes GROW_CHUNKS x GROW_CHUNK zero bytes, then waits for this before its last 3 bytes ("end"). */
    final CountDownLatch growRelease = new CountDownLatch(1);
    static final int GROW_CHUNK = 10 * 1024;
    static final int GROW_CHUNKS = 10;

    ScriptedCgiServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = Thread.ofVirtual().start(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            String line = readLine(in);
            String target = line.substring(line.indexOf(' ') + 1);
            int q = target.indexOf('?');
            String path = q < 0 ? target : target.substring(0, q);
            String query = q < 0 ? "" : target.substring(q + 1);
            String script = path.substring(path.lastIndexOf('/') + 1);
            switch (script) {
                case "hello" -> {
                    long n = in.transferTo(OutputStream.nullOutputStream());
                    write(out, "Content-Type: text/plain\r\nX-Script: hello\r\n\r\nread " + n + " bytes");
                }
                case "echo" -> {
                    write(out, "Status: 200 OK\nContent-Type: application/octet-stream\n\n");
                    in.transferTo(out);
                }
                case "big" -> {
                    write(out, "Content-Type: application/octet-stream\r\nContent-Length: " + BIG + "\r\n\r\n");
                    byte[] chunk = new byte[64 * 1024];
                    for (long sent = 0; sent < BIG; sent += chunk.length) {
                        for (int i = 0; i < chunk.length; i++) {
                            chunk[i] = pattern(sent + i);
                        }
                        out.write(chunk);
                    }
                }
                case "nph" -> write(out, "HTTP/1.1 201 Created\r\nX-Nph: yes\r\n\r\nnph body");
                case "location" -> write(out, "Location: /elsewhere\r\n\r\n");
                case "garbage" -> write(out, "Content-Type: text/plain\nthis is no header\n\nbody");
                case "silent" -> { }
                case "hang" -> {
                    events.add("hang started");
                    long n = in.transferTo(OutputStream.nullOutputStream());
                    events.add("hang saw its peer close after " + n + " bytes");
                }
                case "too-long" -> write(out, "Content-Length: 5\n\nhello world");
                case "short" -> write(out, "Content-Length: 100\n\nonly ten..");
                case "reset" -> {
                    write(out, "Content-Type: text/plain\n\npartial");
                    // an upgrade candidate's stdin ends once its head was parsed: only then is the answer held
                    in.transferTo(OutputStream.nullOutputStream());
                    s.setSoLinger(true, 0); // the close below is a reset, not an end
                }
                case "pieces" -> {
                    write(out, "Content-Type: text/plain\n\none ");
                    Thread.sleep(30);
                    write(out, "two ");
                    Thread.sleep(30);
                    write(out, "three");
                }
                case "stall" -> {
                    write(out, "Content-Type: text/plain\n\npartial");
                    Thread.sleep(3000); // past a read-timeout of 1 s (checked each second), then writes until cut off
                    try {
                        for (int i = 0; i < 100; i++) {
                            write(out, ".");
                            Thread.sleep(50);
                        }
                        events.add("stall was never cut off");
                    } catch (IOException e) {
                        events.add("stall saw its peer close");
                    }
                }
                case "ticker" -> {
                    write(out, "Content-Type: text/plain\n\n");
                    events.add("ticker started");
                    try {
                        while (true) {
                            write(out, "tick ");
                            Thread.sleep(20);
                        }
                    } catch (IOException e) {
                        events.add("ticker saw its peer close");
                    }
                }
                case "grow" -> {
                    write(out, "Content-Type: application/octet-stream\n\n");
                    byte[] chunk = new byte[GROW_CHUNK];
                    for (int i = 0; i < GROW_CHUNKS; i++) {
                        out.write(chunk);
                    }
                    out.flush();
                    events.add("grow wrote its first part");
                    growRelease.await();
                    write(out, "end");
                }
                case "upgrade" -> {
                    write(out, "Upgrade: echo\r\nStatus: 101 Switching Protocols\r\n\r\nready");
                    in.transferTo(out);
                    s.shutdownOutput();
                }
                case "upgrade-refused" -> {
                    write(out, "Status: 200\nContent-Type: text/plain\n\nhead sent\n");
                    in.transferTo(OutputStream.nullOutputStream());
                    write(out, "stdin ended\n");
                }
                case "crash-after-101" -> write(out, "Status: 101\nUpgrade: echo\n\n");
                case "sendfile" -> write(out, "Content-Type: text/plain\nX-Sendfile: "
                        + URLDecoder.decode(query, StandardCharsets.UTF_8) + "\n\nignored body");
                default -> write(out, "Status: 404\n\nno script " + script);
            }
        } catch (IOException e) {
            events.add("script failed: " + e);
        } catch (InterruptedException e) {
            events.add("script interrupted");
        } finally {
            finished.incrementAndGet();
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            b.write(c);
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        growRelease.countDown();
        server.close();
        acceptor.interrupt();
    }
}
