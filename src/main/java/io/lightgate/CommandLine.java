package io.lightgate;

import java.util.ArrayList;
import java.util.List;

/**
 * lighttpd's command line (server.c: getopt "f:m:i:hvVD1pt"), parsed the getopt way: flags may be grouped
 * ({@code -Df conf}, {@code -tt}) and an option's value may be attached ({@code -fconf}) or the next word.
 * A first word without a dash names a subcommand (the built-in demo; later the helper programs).
 * Hand-written rather than a CLI library: getopt grouping and the repeated {@code -t} do not fit them.
 */
public record CommandLine(String subcommand, List<String> subcommandArgs, String configFile, boolean foreground,
                          int testLevel, boolean print, boolean version, boolean features, boolean help,
                          boolean daemonChild, String error) {

    /** Marks the detached child started by {@link Daemon}; not a user option. */
    static final String DAEMON_CHILD = "--daemon-child";

    public static CommandLine parse(String[] args) {
        if (args.length > 0 && !args[0].startsWith("-")) {
            return new CommandLine(args[0], List.of(args).subList(1, args.length), null, true, 0, false, false,
                    false, false, false, null);
        }
        String config = null;
        boolean foreground = false;
        boolean print = false;
        boolean version = false;
        boolean features = false;
        boolean help = false;
        boolean daemonChild = false;
        int test = 0;
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals(DAEMON_CHILD)) {
                daemonChild = true;
                continue;
            }
            if (!a.startsWith("-") || a.length() < 2) {
                return error("unexpected argument: " + a);
            }
            for (int j = 1; j < a.length(); j++) {
                char c = a.charAt(j);
                switch (c) {
                    case 'f', 'm', 'i' -> {
                        String value;
                        if (j + 1 < a.length()) {
                            value = a.substring(j + 1);
                        } else if (i + 1 < args.length) {
                            value = args[++i];
                        } else {
                            return error("option requires an argument -- '" + c + "'");
                        }
                        if (c == 'f') {
                            if (config != null) {
                                return error("Can only read one config file. Use the include command to use multiple config files.");
                            }
                            config = value;
                        }
                        // -m (module directory) and -i (idle shutdown) are accepted for compatibility:
                        // modules are built in, and socket activation is not supported.
                        j = a.length();
                    }
                    case 'D' -> foreground = true;
                    case 't' -> test++;
                    case 'p' -> print = true;
                    case 'v' -> version = true;
                    case 'V' -> features = true;
                    case 'h' -> help = true;
                    case '1' -> { return error("-1 (one-shot mode) is not supported"); }
                    default -> unknown.add("invalid option -- '" + c + "'");
                }
            }
        }
        if (!unknown.isEmpty()) {
            return error(unknown.getFirst());
        }
        return new CommandLine(null, List.of(), config, foreground, test, print, version, features, help,
                daemonChild, null);
    }

    private static CommandLine error(String message) {
        return new CommandLine(null, List.of(), null, true, 0, false, false, false, false, false, message);
    }

    static String usage() {
        return Version.tag() + " - a lighttpd-compatible web server for WebSockets\n"
                + "usage:\n"
                + " -f <name>  filename of the config-file (- reads it from standard input)\n"
                + " -m <name>  module directory (accepted and ignored: modules are built in)\n"
                + " -p         print the parsed config-file in internal form, and exit\n"
                + " -t         test config-file syntax, then exit\n"
                + " -tt        test config-file syntax, load and init modules, then exit\n"
                + " -D         don't go to background (default: go to background)\n"
                + " -v         show version\n"
                + " -V         show compile-time features\n"
                + " -h         show this help\n"
                + "\n"
                + "subcommands:\n"
                + " demo [-p PORT]  serve the built-in demo on 127.0.0.1 (default port 8080)\n"
                + " echo-backend    echo every byte on the listening socket given as fd 0 (a bin-path backend)\n"
                + " scgi-cgi [-c N] run each SCGI request's SCRIPT_FILENAME as a CGI (listening socket on fd 0)\n"
                + " fcgi-cgi [-c N] the same for FastCGI requests (N: requests at once, default 16)\n";
    }
}
