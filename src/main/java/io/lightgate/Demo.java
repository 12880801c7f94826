package io.lightgate;

import io.lightgate.config.ConfigException;
import io.lightgate.config.ConfigParser;
import io.lightgate.config.ConfigTree;
import io.lightgate.log.ErrorLog;
import io.lightgate.server.Server;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code lightgate demo [-p PORT]}: the built-in demo. Unpacks a small site into a temporary directory,
 * serves it on 127.0.0.1 with a config written in lighttpd's language, and prints the URL. Runs in the
 * foreground; SIGINT (^C) stops it and removes the directory.
 */
final class Demo {
    private Demo() { }

    static final int DEFAULT_PORT = 8080;
    private static final String RESOURCES = "demo/";
    private static final List<String> FILES = List.of(
            "index.html", "style.css", "hello.txt", "logo.svg", "docs/index.html", "lightgate-demo.conf");

    static int run(List<String> args, PrintStream out, PrintStream err) {
        int port = DEFAULT_PORT;
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("-p") && i + 1 < args.size() && args.get(i + 1).matches("\\d{1,5}")) {
                port = Integer.parseInt(args.get(++i));
            } else {
                err.println("usage: lightgate demo [-p PORT]");
                return Main.FAILURE;
            }
        }
        Path root;
        try {
            root = unpack();
        } catch (IOException e) {
            err.println(Version.NAME + ": cannot unpack the demo: " + e.getMessage());
            return Main.FAILURE;
        }
        ErrorLog log = ErrorLog.toStderr();
        try {
            String text = Files.readString(root.resolve("lightgate-demo.conf"))
                    .replace("@DOCROOT@", root.toString())
                    .replace("@PORT@", Integer.toString(port));
            Files.writeString(root.resolve("lightgate-demo.conf"), text);
            ConfigTree tree = ConfigParser.parseText("lightgate-demo.conf", text, root);
            Server server = Server.start(tree, log);
            Signals.install(server, new Main.ConfigSource("lightgate-demo.conf", null, text), log);
            out.println(Version.tag() + " demo: serving " + root);
            for (SocketAddress address : server.boundAddresses()) {
                if (address instanceof InetSocketAddress inet) {
                    out.println("  open http://" + inet.getHostString() + ":" + inet.getPort() + "/");
                }
            }
            out.println("  press ^C to stop");
            out.flush();
            server.awaitTermination();
            return 0;
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return Main.FAILURE;
        } catch (IOException e) {
            err.println(Version.NAME + ": " + e.getMessage()
                    + (port == DEFAULT_PORT ? " (is port 8080 taken? try: ./lightgate demo -p 8081)" : ""));
            return Main.FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } finally {
            deleteTree(root);
        }
    }

    private static Path unpack() throws IOException {
        Path root = Files.createTempDirectory("lightgate-demo-");
        for (String name : FILES) {
            try (InputStream in = Demo.class.getResourceAsStream(RESOURCES + name)) {
                if (in == null) {
                    throw new IOException("missing resource " + RESOURCES + name);
                }
                Path target = root.resolve(name);
                Files.createDirectories(target.getParent());
                Files.copy(in, target);
            }
        }
        return root;
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // a temporary directory; the OS cleans up what is left
        }
    }

}
