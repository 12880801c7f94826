package io.lightgate;

import io.lightgate.os.Posix;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Going to the background without {@code -D}. A JVM cannot fork, so instead of lighttpd's double fork the
 * parent starts a second JVM with the same arguments plus {@link CommandLine#DAEMON_CHILD}; the child starts
 * a new session (setsid), starts the server and reports "READY" on its stdout, then points stdout/stderr at
 * /dev/null. The parent exits 0 on READY, or relays the child's error output and exits 255, so start-up
 * errors still reach the terminal as they do with lighttpd.
 */
final class Daemon {
    private Daemon() { }

    private static final String READY = "READY";
    private static final long START_TIMEOUT_SECONDS = 60;

    static int detach(String[] args, Main.ConfigSource source, PrintStream err) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.add(CommandLine.DAEMON_CHILD);
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.redirectInput(source.stdinText() != null ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process child;
        try {
            child = pb.start();
        } catch (IOException e) {
            err.println(Version.NAME + ": cannot start the background process: " + e.getMessage());
            return Main.FAILURE;
        }
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        Thread errorPump = Thread.ofVirtual().start(() -> copy(child.getErrorStream(), errors));
        try {
            if (source.stdinText() != null) {
                try (OutputStream in = child.getOutputStream()) {
                    in.write(source.stdinText().getBytes(StandardCharsets.UTF_8));
                }
            }
            BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.equals(READY)) {
                    return 0;
                }
            }
            // stdout closed without READY: the child failed to start
            child.waitFor(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            errorPump.join(TimeUnit.SECONDS.toMillis(5));
            err.write(errors.toByteArray());
            err.flush();
            return Main.FAILURE;
        } catch (IOException | InterruptedException e) {
            err.println(Version.NAME + ": background start failed: " + e.getMessage());
            child.destroyForcibly();
            return Main.FAILURE;
        }
    }

    /** In the child, once the server listens: detach from the terminal's session and tell the parent. */
    static void childReady() {
        Posix.setsid();
        System.out.println(READY);
        System.out.flush();
        Posix.redirectStdoutAndStderrToDevNull();
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try (in) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // the child is gone; what we have is what it said
        }
    }
}
