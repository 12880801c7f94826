package io.lightgate;

import io.lightgate.config.ConfigException;
import io.lightgate.config.ConfigParser;
import io.lightgate.config.ConfigTree;
import io.lightgate.log.ErrorLog;
import io.lightgate.server.Server;
import io.netty.channel.epoll.Epoll;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The command line, as lighttpd's (reference §11): {@code -f -D -t -tt -p -v -V -h}; exit status 255 on a
 * config error or an unknown option. Without {@code -D} the server detaches ({@link Daemon}).
 */
public final class Main {
    private Main() { }

    /** Exit status for every start-up failure, as lighttpd. */
    static final int FAILURE = 255;

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cl = CommandLine.parse(args);
        if (cl.error() != null) {
            err.println(Version.NAME + ": " + cl.error());
            err.print(CommandLine.usage());
            return FAILURE;
        }
        if (cl.subcommand() != null) {
            return switch (cl.subcommand()) {
                case "demo" -> Demo.run(cl.subcommandArgs(), out, err);
                case "echo-backend" -> io.lightgate.tools.EchoBackend.run(err);
                case "scgi-cgi" -> io.lightgate.tools.CgiHelper.run(io.lightgate.tools.CgiHelperServer.Protocol.SCGI,
                        cl.subcommandArgs(), err);
                case "fcgi-cgi" -> io.lightgate.tools.CgiHelper.run(
                        io.lightgate.tools.CgiHelperServer.Protocol.FASTCGI, cl.subcommandArgs(), err);
                default -> {
                    err.println(Version.NAME + ": unknown subcommand: " + cl.subcommand());
                    err.print(CommandLine.usage());
                    yield FAILURE;
                }
            };
        }
        if (cl.help()) {
            out.print(CommandLine.usage());
            return 0;
        }
        if (cl.version()) {
            out.println(Version.tag() + " - a lighttpd-compatible web server for WebSockets");
            return 0;
        }
        if (cl.features()) {
            out.print(features());
            return 0;
        }
        if (cl.configFile() == null) {
            err.println("No configuration available. Try using -f option.");
            return FAILURE;
        }
        ConfigSource source;
        ConfigTree tree;
        try {
            source = ConfigSource.of(cl.configFile());
            tree = source.parse();
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return FAILURE;
        } catch (IOException e) {
            err.println("opening configfile " + cl.configFile() + " failed: " + e.getMessage());
            return FAILURE;
        }
        if (cl.print()) {
            out.print(tree.print());
            return 0;
        }
        if (cl.testLevel() == 1) {
            out.println("Syntax OK");
            return 0;
        }
        ErrorLog log = ErrorLog.toStderr();
        if (cl.testLevel() >= 2) {
            try {
                Server.check(tree, log);
                return 0;
            } catch (ConfigException e) {
                err.println(e.getMessage());
                return FAILURE;
            }
        }
        if (!cl.foreground() && !cl.daemonChild()) {
            return Daemon.detach(args, source, err);
        }
        return serve(source, tree, log, cl.daemonChild(), err);
    }

    private static int serve(ConfigSource source, ConfigTree tree, ErrorLog log, boolean daemonChild, PrintStream err) {
        Server server;
        try {
            server = Server.start(tree, log);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return FAILURE;
        } catch (IOException e) {
            err.println(Version.NAME + ": " + e.getMessage());
            return FAILURE;
        }
        Signals.install(server, source, log);
        if (daemonChild) {
            Daemon.childReady();
        }
        try {
            server.awaitTermination();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.stopNow();
        }
        return 0;
    }

    static String features() {
        StringBuilder b = new StringBuilder();
        b.append(Version.tag()).append(" - a lighttpd-compatible web server for WebSockets\n\n");
        b.append("Event Handlers:\n");
        b.append(Epoll.isAvailable() ? "\t+ epoll (Linux, Netty native transport)\n" : "\t- epoll\n");
        b.append("\t+ nio (Java, fallback)\n");
        b.append("\nNetwork handler:\n");
        b.append("\t+ sendfile (zero-copy file regions)\n");
        b.append("\nFeatures:\n");
        b.append("\t+ regular expressions (java.util.regex)\n");
        b.append("\t+ unix domain sockets\n");
        b.append("\t- TLS (not yet)\n");
        b.append("\t- HTTP/2 (not yet)\n");
        b.append("\t- dynamic module loading (modules are built in)\n");
        return b.toString();
    }

    /**
     * Where the config comes from, kept so SIGUSR1 can read it again: a file, or the text read once from
     * standard input ({@code -f -}).
     */
    record ConfigSource(String name, Path file, String stdinText) {
        static ConfigSource of(String arg) throws IOException {
            if (arg.equals("-")) {
                String text = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
                return new ConfigSource("(stdin)", null, text);
            }
            // Kept as given so messages name the file the way the user wrote it; the cwd never changes.
            return new ConfigSource(arg, Path.of(arg), null);
        }

        ConfigTree parse() throws ConfigException {
            if (file != null) {
                return ConfigParser.parseFile(file);
            }
            return ConfigParser.parseText(name, stdinText, Path.of("").toAbsolutePath());
        }
    }
}
