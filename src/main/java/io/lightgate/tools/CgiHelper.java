package io.lightgate.tools;

import io.lightgate.os.Posix;
import sun.misc.Signal;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.ExecutionException;

/**
 * {@code lightgate scgi-cgi [-c N]} and {@code lightgate fcgi-cgi [-c N]}: long-running programs, started by a
 * bin-path host of lightgate or lighttpd with their listening socket as fd 0, that run each request's
 * SCRIPT_FILENAME as a CGI program (see {@link CgiHelperServer}). SIGTERM or SIGINT: stop accepting, finish
 * the running requests, exit 0.
 */
public final class CgiHelper {
    private CgiHelper() { }

    static final int USAGE = 2;

    public static int run(CgiHelperServer.Protocol protocol, List<String> args, PrintStream err) {
        String name = protocol.programName;
        int max = CgiHelperServer.Options.DEFAULTS.maxRequests();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String value = arg.equals("-c") && i + 1 < args.size() ? args.get(++i)
                    : arg.startsWith("-c") && arg.length() > 2 ? arg.substring(2) : null;
            if (value == null) {
                err.println(name + ": unexpected argument: " + arg);
                err.println("usage: lightgate " + name + " [-c MAX_REQUESTS]   (listening socket on fd 0)");
                return USAGE;
            }
            try {
                max = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                max = 0;
            }
            if (max < 1) {
                err.println(name + ": -c needs a positive number, not " + value);
                return USAGE;
            }
        }
        CgiHelperServer.Options defaults = CgiHelperServer.Options.DEFAULTS;
        CgiHelperServer server;
        try {
            server = CgiHelperServer.start(protocol, 0,
                    new CgiHelperServer.Options(max, defaults.killGrace(), defaults.shutdownGrace()), err);
        } catch (IOException e) {
            err.println(name + ": fd 0 must be a listening socket (start it through a bin-path host): "
                    + e.getMessage());
            return USAGE;
        }
        // started from a shell in the background SIGINT may be ignored; lighttpd's programs honour it
        Posix.resetSignalToDefault(Posix.SIGINT);
        Signal.handle(new Signal("TERM"), s -> server.shutdownGracefully());
        Signal.handle(new Signal("INT"), s -> server.shutdownGracefully());
        try {
            server.terminated().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (ExecutionException e) {
            err.println(name + ": " + e.getCause());
            return 1;
        }
        return 0;
    }
}
