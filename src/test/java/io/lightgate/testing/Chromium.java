package io.lightgate.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A headless Debian Chromium for browser tests, driven over the DevTools protocol. Each instance has its own
 * temp directory (profile, HOME for crashpad's database, the browser's log); {@link #close} kills the whole
 * process tree, waits for it and deletes the directory.
 */
public final class Chromium implements AutoCloseable {
    static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);

    private final Process process;
    private final Path dir;
    private final Thread killOnExit;
    private DevTools devTools;

    private Chromium(Process process, Path dir) {
        this.process = process;
        this.dir = dir;
        // A test JVM that exits without close() (a forked surefire JVM timed out) must not leave a browser.
        this.killOnExit = new Thread(() -> processTree().forEach(ProcessHandle::destroyForcibly));
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /** The chromium launcher: {@code chromium} on PATH, else none. */
    public static Optional<Path> executable() {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String d : path.split(":")) {
            Path p = Path.of(d.isEmpty() ? "." : d, "chromium");
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    public static boolean available() {
        return executable().isPresent();
    }

    /**
     * Skips the calling test when Chromium is absent, except under CI (env {@code CI} set), where .ci/run
     * installs it and its absence must fail the test.
     */
    public static void assumeAvailable() {
        if (available()) {
            return;
        }
        if (System.getenv("CI") != null) {
            fail("chromium is not installed but CI is set: .ci/run must install the Debian package chromium");
        }
        assumeTrue(false, "chromium is not installed (apt-get install chromium)");
    }

    public static Chromium launch() throws IOException {
        Path exe = executable().orElseThrow(() -> new IOException("chromium is not installed"));
        Path dir = Files.createTempDirectory("lightgate-chromium");
        Path profile = dir.resolve("profile");
        ProcessBuilder pb = new ProcessBuilder(exe.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
                "--disable-crash-reporter", "--remote-debugging-port=0", "--user-data-dir=" + profile,
                "about:blank");
        // Crashpad keeps its database under $HOME/.config whatever the flags say: keep it in our directory,
        // which also marks its (daemonised) processes as ours for close().
        pb.environment().put("HOME", dir.toString());
        pb.environment().put("XDG_CONFIG_HOME", dir.resolve("config").toString());
        pb.environment().put("XDG_CACHE_HOME", dir.resolve("cache").toString());
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Chromium browser;
        try {
            browser = new Chromium(pb.start(), dir);
        } catch (IOException e) {
            TempTrees.delete(dir);
            throw e;
        }
        try {
            browser.devTools = DevTools.connect(browser.awaitDevToolsUrl(profile), CALL_TIMEOUT);
            return browser;
        } catch (IOException | RuntimeException e) {
            browser.close();
            throw e;
        }
    }

    /** Chromium writes its port and browser path to DevToolsActivePort once it listens. */
    private URI awaitDevToolsUrl(Path profile) throws IOException {
        Path portFile = profile.resolve("DevToolsActivePort");
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(portFile)) {
                List<String> lines = Files.readAllLines(portFile);
                if (lines.size() >= 2 && !lines.get(1).isBlank()) {
                    return URI.create("ws://127.0.0.1:" + lines.get(0).trim() + lines.get(1).trim());
                }
            }
            if (!process.isAlive()) {
                throw new IOException("chromium exited with " + process.exitValue() + " before listening:\n" + logTail());
            }
            sleep(50);
        }
        throw new IOException("chromium did not listen for DevTools within " + START_TIMEOUT + ":\n" + logTail());
    }

    /**
     * Opens {@code url} in a new tab and returns it once the navigation is committed. The tab starts blank so
     * that exceptions and console messages are recorded from the page's first script on.
     */
    public BrowserPage open(URI url) throws IOException {
        String targetId = (String) devTools.call("Target.createTarget", "{\"url\":\"about:blank\"}", null,
                CALL_TIMEOUT).get("targetId");
        String session = (String) devTools.call("Target.attachToTarget",
                "{\"targetId\":" + Json.quote(targetId) + ",\"flatten\":true}", null, CALL_TIMEOUT).get("sessionId");
        BrowserPage page = new BrowserPage(devTools, session, url);
        devTools.call("Runtime.enable", "{}", session, CALL_TIMEOUT);
        Map<String, Object> nav = devTools.call("Page.navigate", "{\"url\":" + Json.quote(url.toString()) + "}",
                session, CALL_TIMEOUT);
        if (nav.get("errorText") instanceof String error && !error.isEmpty()) {
            throw new IOException("navigation to " + url + " failed: " + error);
        }
        return page;
    }

    /** The browser and every process it started, daemonised crashpad handlers included. */
    public List<ProcessHandle> processTree() {
        Map<Long, ProcessHandle> tree = new LinkedHashMap<>();
        process.descendants().forEach(h -> tree.put(h.pid(), h));
        // Crashpad handlers double-fork away from the browser; their command line names our directory.
        byte[] marker = dir.toString().getBytes(StandardCharsets.UTF_8);
        ProcessHandle.allProcesses().filter(h -> commandLineContains(h.pid(), marker))
                .forEach(h -> tree.put(h.pid(), h));
        tree.put(process.pid(), process.toHandle());
        return new ArrayList<>(tree.values());
    }

    /** The browser's own output so far (the launcher's and Chromium's log lines). */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("chromium.log"), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * Asks the browser to quit (it then stops and reaps its own children), kills whatever is left of the
     * process tree, waits until every process is gone and deletes the temp directory.
     */
    @Override
    public void close() throws IOException {
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException e) {
            // already shutting down: the hook kills the tree
        }
        List<ProcessHandle> started = processTree();
        if (devTools != null) {
            try {
                devTools.call("Browser.close", "{}", null, Duration.ofSeconds(5));
            } catch (IOException e) {
                // The browser may exit before its reply gets out; the exit below is what counts.
            }
            devTools.close();
            try {
                process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<ProcessHandle> tree = new ArrayList<>(processTree());
        started.stream().filter(h -> tree.stream().noneMatch(t -> t.pid() == h.pid())).forEach(tree::add);
        // Whatever did not quit: children first, so that their parents are still there to reap them. The
        // zygotes and crashpad handlers end as orphans either way; PID 1 reaps those (running() ignores zombies).
        for (ProcessHandle h : tree.reversed()) {
            h.destroyForcibly();
        }
        process.destroyForcibly();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (ProcessHandle h : tree) {
            while (running(h.pid()) && System.nanoTime() < deadline) {
                sleep(20);
            }
        }
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Long> left = tree.stream().map(ProcessHandle::pid).filter(Chromium::running).toList();
        TempTrees.delete(dir);
        if (!left.isEmpty()) {
            throw new IOException("chromium processes still running after SIGKILL: " + left);
        }
    }

    /** Alive and not a zombie (an orphan's zombie is its new parent's to reap, not ours). */
    static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // The state follows the parenthesised command name, which may itself contain ')'.
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean commandLineContains(long pid, byte[] marker) {
        try {
            byte[] cmd = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
            outer:
            for (int i = 0; i + marker.length <= cmd.length; i++) {
                for (int j = 0; j < marker.length; j++) {
                    if (cmd[i + j] != marker[j]) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** The temp directory (profile, log) removed by {@link #close}. */
    public Path directory() {
        return dir;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
