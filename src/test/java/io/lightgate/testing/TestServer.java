package io.lightgate.testing;

import io.lightgate.config.ConfigException;
import io.lightgate.config.ConfigParser;
import io.lightgate.config.ConfigTree;
import io.lightgate.log.ErrorLog;
import io.lightgate.server.ModuleRegistry;
import io.lightgate.server.Server;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real lightgate server for integration tests: the config text is written to a temp file ({@code @DOCROOT@}
 * becomes a fresh temp directory, see {@link #docroot()}); unless the text sets them, {@code server.bind} is
 * 127.0.0.1, {@code server.port} is 0 (ephemeral) and {@code server.document-root} is that directory. The
 * error log is captured line by line.
 */
public final class TestServer implements AutoCloseable {
    private final Server server;
    private final Path dir;
    private final Path docroot;
    private final Path configFile;
    private final LineCapture errors;

    private TestServer(Server server, Path dir, Path docroot, Path configFile, LineCapture errors) {
        this.server = server;
        this.dir = dir;
        this.docroot = docroot;
        this.configFile = configFile;
        this.errors = errors;
    }

    public static TestServer start(String configText) throws IOException, ConfigException {
        return start(configText, ModuleRegistry.builtIn());
    }

    public static TestServer start(String configText, ModuleRegistry registry) throws IOException, ConfigException {
        Path dir = Files.createTempDirectory("lightgate-test");
        Path docroot = Files.createDirectories(dir.resolve("docroot"));
        Path file = dir.resolve("lighttpd.conf");
        Files.writeString(file, withDefaults(configText, docroot));
        LineCapture errors = new LineCapture();
        ErrorLog log = new ErrorLog(new PrintStream(errors, true, StandardCharsets.UTF_8));
        try {
            ConfigTree tree = ConfigParser.parseFile(file);
            return new TestServer(Server.start(tree, log, registry), dir, docroot, file, errors);
        } catch (IOException | ConfigException | RuntimeException e) {
            TempTrees.delete(dir);
            throw e;
        }
    }

    static String withDefaults(String text, Path docroot) {
        String t = text.replace("@DOCROOT@", docroot.toString());
        StringBuilder out = new StringBuilder();
        if (!t.contains("server.bind")) {
            out.append("server.bind = \"127.0.0.1\"\n");
        }
        if (!t.contains("server.port")) {
            out.append("server.port = 0\n");
        }
        if (!t.contains("server.document-root")) {
            out.append("server.document-root = \"").append(docroot).append("\"\n");
        }
        return out.append(t).append('\n').toString();
    }

    public Server server() { return server; }

    public Path docroot() { return docroot; }

    /** A scratch directory removed on close (for unix sockets, extra files). */
    public Path dir() { return dir; }

    /** The port of the main listener. */
    public int port() {
        return ((InetSocketAddress) server.boundAddresses().getFirst()).getPort();
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    /** Every error-log line so far. */
    public List<String> errorLines() {
        return errors.lines();
    }

    /** Error-log lines from a source, e.g. "h1" for refused requests. */
    public List<String> errorLines(String source) {
        return errors.lines().stream().filter(l -> l.contains(": (" + source + ") ")).toList();
    }

    /** Rewrites the config file with {@code configText} and performs a graceful restart with it. */
    public void restart(String configText) throws IOException, ConfigException {
        Files.writeString(configFile, withDefaults(configText, docroot));
        server.restart(ConfigParser.parseFile(configFile));
    }

    @Override
    public void close() throws IOException {
        server.stopNow();
        try {
            server.awaitTermination();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        TempTrees.delete(dir);
    }

    /** Collects written bytes as lines. */
    private static final class LineCapture extends OutputStream {
        private final ByteArrayOutputStream current = new ByteArrayOutputStream();
        private final List<String> lines = new ArrayList<>();

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                lines.add(current.toString(StandardCharsets.UTF_8));
                current.reset();
            } else {
                current.write(b);
            }
        }

        synchronized List<String> lines() {
            return List.copyOf(lines);
        }
    }
}
