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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code lightgate demo [-p PORT]}: the built-in demo. Unpacks a small site into a temporary directory,
 * serves it on 127.0.0.1 with a config written in lighttpd's language, and prints the URLs: the site on PORT,
 * and the same site through mod_proxy on PORT + 1 (the seed's proxy chain; both ephemeral with {@code -p 0}).
 * Runs in the foreground; SIGINT (^C) stops it and removes the directory.
 */
final class Demo {
    private Demo() { }

    static final int DEFAULT_PORT = 8080;
    private static final String RESOURCES = "demo/";
    private static final List<String> FILES = List.of(
            "index.html", "count.html", "echo.html", "style.css", "hello.txt", "logo.svg", "docs/index.html",
            "lightgate-demo.conf");
    /** The URL prefixes of the three CGI paths (mod_cgi, mod_scgi + scgi-cgi, mod_fastcgi + fcgi-cgi). */
    private static final List<String> CGI_DIRECTORIES = List.of("cgi", "scgi", "fcgi");
    private static final String CGI_ECHO = "ws-echo.pl";

    static int run(List<String> args, PrintStream out, PrintStream err) {
        int port = DEFAULT_PORT;
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("-p") && i + 1 < args.size() && args.get(i + 1).matches("\\d{1,5}")
                    && Integer.parseInt(args.get(i + 1)) < 65535) {
                port = Integer.parseInt(args.get(++i));
            } else {
                err.println("usage: lightgate demo [-p PORT]");
                return Main.FAILURE;
            }
        }
        Path root;
        Path site;
        try {
            root = Files.createTempDirectory("lightgate-demo-");
            site = unpack(root.resolve("site"));
        } catch (IOException e) {
            err.println(Version.NAME + ": cannot unpack the demo: " + e.getMessage());
            return Main.FAILURE;
        }
        ErrorLog log = ErrorLog.toStderr();
        try {
            String text = Files.readString(site.resolve("lightgate-demo.conf"))
                    .replace("@DOCROOT@", site.toString())
                    .replace("@RUNDIR@", root.toString())
                    .replace("@ECHO@", writeEchoProgram(root).toString())
                    .replace("@SCGI_CGI@", javaSubcommandScript(root, "scgi-cgi.sh", "scgi-cgi").toString())
                    .replace("@FCGI_CGI@", javaSubcommandScript(root, "fcgi-cgi.sh", "fcgi-cgi").toString())
                    .replace("@PROXY_PORT@", Integer.toString(proxyPort(port)))
                    .replace("@PORT@", Integer.toString(port));
            Files.writeString(site.resolve("lightgate-demo.conf"), text);
            ConfigTree tree = ConfigParser.parseText("lightgate-demo.conf", text, site);
            Server server = Server.start(tree, log);
            Signals.install(server, new Main.ConfigSource("lightgate-demo.conf", null, text), log);
            out.println(Version.tag() + " demo: serving " + site);
            // The main listener comes first; the other TCP one is the proxy's (the unix socket is its backend).
            List<InetSocketAddress> tcp = server.boundAddresses().stream()
                    .filter(InetSocketAddress.class::isInstance).map(InetSocketAddress.class::cast).toList();
            String base = base(tcp.getFirst());
            out.println("  open " + base);
            out.println("  WebSocket count 1 .. 5 (mod_wstunnel): " + base + "count.html");
            for (InetSocketAddress proxy : tcp.subList(1, tcp.size())) {
                out.println("  the same through mod_proxy (proxy -> wstunnel -> echo): " + base(proxy) + "count.html");
            }
            String perlNote = perlInstalled() ? "" : " (needs perl, which is not installed: the page says so)";
            out.println("  WebSocket echo CGI through mod_cgi: " + base + "echo.html?path=/cgi/ws-echo.pl" + perlNote);
            out.println("  WebSocket echo CGI through mod_scgi + lightgate scgi-cgi: " + base
                    + "echo.html?path=/scgi/ws-echo.pl" + perlNote);
            out.println("  WebSocket echo CGI through mod_fastcgi + lightgate fcgi-cgi: " + base
                    + "echo.html?path=/fcgi/ws-echo.pl" + perlNote);
            out.println("  press ^C to stop");
            out.flush();
            server.awaitTermination();
            return 0;
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return Main.FAILURE;
        } catch (IOException e) {
            err.println(Version.NAME + ": " + e.getMessage()
                    + (port == DEFAULT_PORT ? " (are ports 8080 and 8081 free? try: ./lightgate demo -p 8090)" : ""));
            return Main.FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } finally {
            deleteTree(root);
        }
    }

    /**
     * The proxy listener's port: the next one (the seed puts its proxy on 8080 in front of wstunnel on 8081; the
     * demo's site keeps the port it always had). With {@code -p 0} (tests) a free port the kernel names now:
     * {@code $SERVER["socket"] == "127.0.0.1:0"} would be the main listener's own token, so not a second listener.
     */
    static int proxyPort(int port) throws IOException {
        if (port != 0) {
            return port + 1;
        }
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private static String base(InetSocketAddress address) {
        return "http://" + address.getHostString() + ":" + address.getPort() + "/";
    }

    private static Path unpack(Path site) throws IOException {
        for (String name : FILES) {
            try (InputStream in = Demo.class.getResourceAsStream(RESOURCES + name)) {
                if (in == null) {
                    throw new IOException("missing resource " + RESOURCES + name);
                }
                Path target = site.resolve(name);
                Files.createDirectories(target.getParent());
                Files.copy(in, target);
            }
        }
        // one echo program (the project's examples/cgi/ws-echo.pl, packed at build time) under each CGI prefix
        for (String directory : CGI_DIRECTORIES) {
            Path target = Files.createDirectories(site.resolve(directory)).resolve(CGI_ECHO);
            try (InputStream in = Demo.class.getResourceAsStream(RESOURCES + "cgi/" + CGI_ECHO)) {
                if (in == null) {
                    throw new IOException("missing resource " + RESOURCES + "cgi/" + CGI_ECHO);
                }
                Files.copy(in, target);
            }
            target.toFile().setExecutable(true, false);
        }
        // what echo.html reads to tell a visitor that the echo cannot run here
        Files.writeString(site.resolve("perl.txt"), perlInstalled() ? "present\n" : "missing\n");
        return site;
    }

    private static boolean perlInstalled() {
        return Files.isExecutable(Path.of("/usr/bin/perl"));
    }

    /**
     * The echo backend mod_wstunnel spawns, outside the document root: the seed's line echo in Perl when perl
     * is installed (what lighttpd's documentation uses), else a script starting lightgate's own echo-backend
     * with this JVM (a script, because bin-path is split on spaces and these paths may hold some).
     */
    static Path writeEchoProgram(Path dir) throws IOException {
        Path program;
        if (Files.isExecutable(Path.of("/usr/bin/perl"))) {
            program = dir.resolve("echo.pl");
            Files.writeString(program, """
                    #!/usr/bin/perl -Tw
                    # the echo program from lighttpd's mod_wstunnel documentation: fd 0 is the listening socket
                    $SIG{PIPE} = 'IGNORE';
                    for (my $FH; accept($FH, STDIN); close $FH) {
                        select($FH); $| = 1;
                        print $FH $_ while (<$FH>);
                    }
                    """);
        } else {
            return javaSubcommandScript(dir, "echo-backend.sh", "echo-backend");
        }
        program.toFile().setExecutable(true, true);
        return program;
    }

    /**
     * A script in {@code dir} that runs {@code lightgate <subcommand>} with this JVM and this jar or class path
     * (a script, because bin-path is split on spaces and these paths may hold some).
     */
    static Path javaSubcommandScript(Path dir, String name, String subcommand) throws IOException {
        Path program = dir.resolve(name);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(program, "#!/bin/sh\nexec " + shellQuote(java)
                + " --enable-native-access=ALL-UNNAMED -cp " + shellQuote(System.getProperty("java.class.path"))
                + " io.lightgate.Main " + subcommand + "\n");
        program.toFile().setExecutable(true, true);
        return program;
    }

    private static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
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
