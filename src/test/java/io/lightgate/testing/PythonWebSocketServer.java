package io.lightgate.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An RFC 6455 echo server from python3-websockets (the bundled {@code ws_echo_server.py}) on 127.0.0.1, with
 * switches to misbehave: corrupt an echo, close with a code, refuse the handshake, split each echo in two; and
 * {@code "--max-size", "N"} to accept messages larger than websockets' default 1 MiB.
 */
public final class PythonWebSocketServer implements AutoCloseable {
    private final Process process;
    private final Path dir;
    private final int port;
    private final Thread killOnExit;

    private PythonWebSocketServer(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
        // The server runs until killed: a test JVM that exits without close() must not leave it behind.
        this.killOnExit = new Thread(process::destroyForcibly);
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /** Starts the server with the script's options, e.g. {@code "--corrupt", "3"}; returns once it listens. */
    public static PythonWebSocketServer start(String... options) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("lightgate-pyws-server");
        List<String> cmd = new ArrayList<>(List.of(PythonWebSockets.PYTHON.toString(),
                PythonWebSockets.script("ws_echo_server.py", dir).toString()));
        cmd.addAll(List.of(options));
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("stderr").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        String line;
        try {
            line = first.get(20, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            line = null;
        }
        if (line == null || !line.startsWith("PORT ")) {
            p.destroyForcibly().waitFor();
            String err = Files.readString(dir.resolve("stderr"));
            TempTrees.delete(dir);
            throw new IOException("python echo server did not start: " + line + "\n" + err);
        }
        return new PythonWebSocketServer(p, dir, Integer.parseInt(line.substring(5).trim()));
    }

    public int port() {
        return port;
    }

    public URI uri(String path) {
        return URI.create("ws://127.0.0.1:" + port + path);
    }

    @Override
    public void close() throws IOException {
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException e) {
            // already shutting down: the hook kills it
        }
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        TempTrees.delete(dir);
    }
}
