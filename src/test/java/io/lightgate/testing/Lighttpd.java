package io.lightgate.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Debian's lighttpd (1.4.69 here) as the reference peer of a test: runs a config text the test writes, in the
 * foreground, on a free port of 127.0.0.1. lighttpd treats {@code server.port = 0} as port 80, so the port is
 * picked beforehand and the start retried on another one when it was taken meanwhile. {@link #close} stops the
 * server and whatever it spawned (CGI programs) and waits for them.
 */
public final class Lighttpd implements AutoCloseable {
    static final Path EXECUTABLE = Path.of("/usr/sbin/lighttpd");
    static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    private final Process process;
    private final int port;
    private final Path dir;
    private final Thread killOnExit;

    private Lighttpd(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
        // A test JVM that exits without close() must not leave a server behind.
        this.killOnExit = new Thread(() -> {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        });
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    public static boolean available() {
        return Files.isExecutable(EXECUTABLE);
    }

    /** Skips the calling test without lighttpd, except under CI (env CI set), where .ci/run installs it. */
    public static void assumeAvailable() {
        if (available()) {
            return;
        }
        if (System.getenv("CI") != null) {
            fail(EXECUTABLE + " is missing but CI is set: .ci/run must install the Debian package lighttpd");
        }
        assumeTrue(false, "lighttpd is not installed (apt-get install lighttpd)");
    }

    /**
     * Writes {@code config.apply(port)} to {@code dir/lighttpd.conf} and runs it; returns once the port accepts
     * connections. The config should send {@code server.errorlog} into {@code dir} ({@link #errorLog} reads
     * {@code dir/error.log}).
     */
    public static Lighttpd start(Path dir, IntFunction<String> config) throws IOException, InterruptedException {
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = freePort();
            Path conf = dir.resolve("lighttpd.conf");
            Files.writeString(conf, config.apply(port));
            Path out = dir.resolve("lighttpd.out");
            Process p = new ProcessBuilder(EXECUTABLE.toString(), "-D", "-f", conf.toString())
                    .redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            Lighttpd server = new Lighttpd(p, port, dir);
            try {
                server.awaitListening();
                return server;
            } catch (IOException e) {
                server.close();
                last = e;
                if (!e.getMessage().contains("in use")) {
                    throw e;
                }
            }
        }
        throw last;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void awaitListening() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("lighttpd exited with " + process.exitValue() + ":\n" + output() + errorLog());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        throw new IOException("lighttpd did not listen on " + port + " within " + START_TIMEOUT + ":\n" + output());
    }

    public int port() {
        return port;
    }

    /** The processes lighttpd started that are still running (CGI programs), zombies excluded. */
    public List<ProcessHandle> children() {
        return process.descendants().filter(h -> Chromium.running(h.pid())).toList();
    }

    /** Waits up to {@code timeout} for every process lighttpd started to end; returns those still running. */
    public List<ProcessHandle> awaitNoChildren(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ProcessHandle> left = children();
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
            left = children();
        }
        return left;
    }

    /** The server's error log ({@code dir/error.log}), "" when there is none yet. */
    public String errorLog() throws IOException {
        Path log = dir.resolve("error.log");
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    /** What lighttpd printed on stdout/stderr (startup errors, and CGI stderr without a log file). */
    public String output() throws IOException {
        Path out = dir.resolve("lighttpd.out");
        return Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "";
    }

    /** SIGKILL to whatever lighttpd started, SIGTERM to lighttpd (SIGKILL after 10 s); waits for all of them. */
    @Override
    public void close() throws IOException {
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook kills the server
        }
        // The CGI programs first, while lighttpd is there to reap them (ProcessHandle checks the start time,
        // so a reused pid is not hit).
        List<ProcessHandle> spawned = process.descendants().toList();
        spawned.forEach(ProcessHandle::destroyForcibly);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            for (ProcessHandle h : spawned) {
                while (Chromium.running(h.pid()) && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                if (Chromium.running(h.pid())) {
                    throw new IOException("process " + h.pid() + " started by lighttpd still runs after SIGKILL");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
