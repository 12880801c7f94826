package io.lightgate.testing;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs Debian's python3-websockets as an independent strict WebSocket client (the bundled
 * {@code ws_echo_client.py}): it sends text and binary messages to a ws:// URL, checks every echo byte for
 * byte, closes, and reports what happened as a {@link Result}. Protocol violations by the server (masked or
 * reserved frames, invalid UTF-8 in text, bad close codes) end the run with the close code it sent.
 */
public final class PythonWebSocketClient {
    private int text = 5;
    private int binary = 5;
    private int size = 64;
    private String origin;
    private final List<String> subprotocols = new ArrayList<>();
    private boolean streamFraming;
    private boolean serverCloses;
    private Duration timeout = Duration.ofSeconds(10);

    /**
     * What the python client saw. {@code closeCode}: the server's close code (1006: the connection ended
     * without a close frame); {@code closeSent}: the client's own (1002 protocol error, 1007 invalid UTF-8).
     */
    public record Result(boolean ok, Integer handshakeStatus, String subprotocol, int sent, int echoed,
            int receivedText, int receivedBinary, Integer closeCode, String closeReason, Integer closeSent,
            String error, String stderr) {
    }

    /** Skips without python3-websockets; fails instead when the env var CI is set. */
    public static void assumeAvailable() {
        PythonWebSockets.assumeAvailable();
    }

    public static boolean available() {
        return PythonWebSockets.available();
    }

    /** Text messages to send (default 5), alternating with the binary ones. */
    public PythonWebSocketClient text(int count) {
        this.text = count;
        return this;
    }

    /** Binary messages to send (default 5). */
    public PythonWebSocketClient binary(int count) {
        this.binary = count;
        return this;
    }

    /** Approximate bytes per message (default 64); text messages hold 2-, 3- and 4-byte UTF-8 characters. */
    public PythonWebSocketClient size(int bytes) {
        this.size = bytes;
        return this;
    }

    public PythonWebSocketClient origin(String value) {
        this.origin = value;
        return this;
    }

    public PythonWebSocketClient subprotocol(String name) {
        subprotocols.add(name);
        return this;
    }

    /**
     * Accepts an echo spread over several messages of either type, as long as the bytes match in order (a
     * tunnel such as mod_wstunnel re-frames what its backend writes). Default: one message of the same type.
     */
    public PythonWebSocketClient streamFraming() {
        this.streamFraming = true;
        return this;
    }

    /** After the echoes, waits for the server to close (default: the client closes with 1000). */
    public PythonWebSocketClient serverCloses() {
        this.serverCloses = true;
        return this;
    }

    /** Per step: handshake, each echo, the close (default 10 s). */
    public PythonWebSocketClient timeout(Duration value) {
        this.timeout = value;
        return this;
    }

    public Result run(URI url) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("lightgate-pyws");
        try {
            List<String> cmd = new ArrayList<>(List.of(PythonWebSockets.PYTHON.toString(),
                    PythonWebSockets.script("ws_echo_client.py", dir).toString(), url.toString(),
                    "--text", Integer.toString(text), "--binary", Integer.toString(binary),
                    "--size", Integer.toString(size), "--framing", streamFraming ? "stream" : "exact",
                    "--close", serverCloses ? "server" : "client",
                    "--timeout", Double.toString(timeout.toMillis() / 1000.0)));
            if (origin != null) {
                cmd.addAll(List.of("--origin", origin));
            }
            for (String p : subprotocols) {
                cmd.addAll(List.of("--subprotocol", p));
            }
            Path out = dir.resolve("stdout");
            Path err = dir.resolve("stderr");
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            // Every step of the script is bounded by the timeout; the whole run by a generous multiple.
            long limit = timeout.toMillis() * (4L + text + binary) + 10_000;
            if (!p.waitFor(limit, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                throw new IOException("python client still running after " + limit + " ms; stderr:\n"
                        + Files.readString(err, StandardCharsets.UTF_8));
            }
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
            if (lines.isEmpty()) {
                throw new IOException("python client (exit " + p.exitValue() + ") printed no result; stderr:\n" + stderr);
            }
            return parse(lines.getLast(), stderr);
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    private static Result parse(String line, String stderr) {
        Map<String, Object> r = Json.object(Json.parse(line));
        return new Result(Boolean.TRUE.equals(r.get("ok")), integer(r.get("handshake_status")),
                (String) r.get("subprotocol"), integer(r.get("sent")), integer(r.get("echoed")),
                integer(r.get("received_text")), integer(r.get("received_binary")), integer(r.get("close_code")),
                (String) r.get("close_reason"), integer(r.get("close_sent")), (String) r.get("error"), stderr);
    }

    private static Integer integer(Object json) {
        return json instanceof Double d ? Integer.valueOf(d.intValue()) : null;
    }
}
