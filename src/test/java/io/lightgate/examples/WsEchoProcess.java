package io.lightgate.examples;

import io.lightgate.websocket.RawWebSocket;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * examples/cgi/ws-echo.pl run directly as a CGI program, as a server with the upgrade enabled runs it: the
 * request in the environment, the client's bytes on its stdin, its answer read from its stdout. A watchdog kills
 * the program after {@link #WATCHDOG}, so a test waiting on a hung script gets EOF instead of hanging.
 */
final class WsEchoProcess implements AutoCloseable {
    static final Path SCRIPT = Path.of("examples", "cgi", "ws-echo.pl").toAbsolutePath();
    /** The example key of RFC 6455 section 1.3 and its accept value. */
    static final String RFC_KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    static final String RFC_ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
    static final Duration WATCHDOG = Duration.ofSeconds(60);

    private final Process process;
    private final InputStream stdout;
    private final OutputStream stdin;
    private final Path stderr;
    private volatile boolean killedByWatchdog;

    private WsEchoProcess(Process process, Path stderr) {
        this.process = process;
        this.stdout = process.getInputStream();
        this.stdin = process.getOutputStream();
        this.stderr = stderr;
        CompletableFuture.delayedExecutor(WATCHDOG.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            if (process.isAlive()) {
                killedByWatchdog = true;
                process.destroyForcibly();
            }
        });
    }

    /** The CGI environment of a WebSocket handshake (GET, Upgrade: websocket, the RFC's key, version 13). */
    static Map<String, String> upgradeEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("GATEWAY_INTERFACE", "CGI/1.1");
        env.put("SERVER_PROTOCOL", "HTTP/1.1");
        env.put("REQUEST_METHOD", "GET");
        env.put("REQUEST_URI", "/ws/ws-echo.pl");
        env.put("SCRIPT_NAME", "/ws/ws-echo.pl");
        env.put("CONTENT_LENGTH", "0");
        env.put("HTTP_HOST", "127.0.0.1");
        env.put("HTTP_UPGRADE", "websocket");
        env.put("HTTP_CONNECTION", "Upgrade");
        env.put("HTTP_SEC_WEBSOCKET_KEY", RFC_KEY);
        env.put("HTTP_SEC_WEBSOCKET_VERSION", "13");
        return env;
    }

    /** Starts the script with exactly {@code env} (plus PATH), as a CGI's environment is built from scratch. */
    static WsEchoProcess start(Map<String, String> env) throws IOException {
        Path stderr = Files.createTempFile("ws-echo", ".stderr");
        ProcessBuilder pb = new ProcessBuilder(SCRIPT.toString()).redirectError(stderr.toFile());
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/bin:/bin");
        pb.environment().putAll(env);
        return new WsEchoProcess(pb.start(), stderr);
    }

    /** Starts the script on a handshake and reads its 101 head, which must carry the RFC's accept value. */
    static WsEchoProcess upgraded(Map<String, String> extraEnv) throws IOException {
        Map<String, String> env = upgradeEnv();
        env.putAll(extraEnv);
        WsEchoProcess p = start(env);
        String head = p.readHead();
        if (!head.startsWith("Status: 101") || !head.contains("Sec-WebSocket-Accept: " + RFC_ACCEPT + "\r\n")) {
            p.close();
            throw new IOException("no 101 with the RFC's accept value: " + head);
        }
        return p;
    }

    static WsEchoProcess upgraded() throws IOException {
        return upgraded(Map.of());
    }

    /** The CGI head up to and including its blank line. */
    String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int c = stdout.read();
            if (c < 0) {
                throw eof("end of output inside the CGI head: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(c);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** Everything the script prints until it closes its stdout. */
    byte[] readToEnd() throws IOException {
        byte[] all = stdout.readAllBytes();
        if (killedByWatchdog) {
            throw eof("the script did not end its output");
        }
        return all;
    }

    WsEchoProcess send(byte[] bytes) throws IOException {
        stdin.write(bytes);
        stdin.flush();
        return this;
    }

    /** Sends one masked client frame. */
    WsEchoProcess send(int b0, byte[] payload) throws IOException {
        return send(RawWebSocket.frame(b0, payload, true));
    }

    /** Sends {@code bytes} on another thread, for inputs larger than the pipes hold while the echo comes back. */
    CompletableFuture<Void> sendInBackground(byte[] bytes) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                send(bytes);
                done.complete(null);
            } catch (IOException | RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /** Ends the script's stdin, as a server does when the client's side of the tunnel ends. */
    void closeStdin() throws IOException {
        stdin.close();
    }

    /** The next frame the script wrote; a masked one is an error (servers never mask). */
    RawWebSocket.Frame readFrame() throws IOException {
        int b0 = stdout.read();
        if (b0 < 0) {
            throw eof("end of output where a frame should start");
        }
        int b1 = readByte();
        long n = b1 & 0x7F;
        if (n == 126) {
            n = (readByte() << 8) | readByte();
        } else if (n == 127) {
            n = 0;
            for (int i = 0; i < 8; i++) {
                n = (n << 8) | readByte();
            }
        }
        if ((b1 & 0x80) != 0) {
            throw new IOException("the script masked a frame");
        }
        byte[] payload = stdout.readNBytes(Math.toIntExact(n));
        if (payload.length != n) {
            throw eof("end of output inside a payload of " + n + " bytes");
        }
        return new RawWebSocket.Frame(b0, b1, payload);
    }

    private int readByte() throws IOException {
        int b = stdout.read();
        if (b < 0) {
            throw eof("end of output inside a frame header");
        }
        return b;
    }

    /** Waits for the script to exit and returns its status. */
    int exitValue() throws IOException, InterruptedException {
        if (!process.waitFor(WATCHDOG.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IOException("the script did not exit");
        }
        if (killedByWatchdog) {
            throw new IOException("the script was killed by the watchdog");
        }
        return process.exitValue();
    }

    /** What the script wrote to stderr (perl's warnings land here). */
    String stderr() throws IOException {
        return Files.readString(stderr, StandardCharsets.UTF_8);
    }

    private EOFException eof(String what) {
        String err;
        try {
            err = stderr();
        } catch (IOException e) {
            err = "(unreadable: " + e + ")";
        }
        return new EOFException(what + (killedByWatchdog ? " (killed by the watchdog)" : "") + "; stderr: " + err);
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            stdin.close();
        } catch (IOException ignored) {
            // the pipe's reader is gone: nothing to flush
        }
        stdout.close();
        Files.deleteIfExists(stderr);
    }
}
