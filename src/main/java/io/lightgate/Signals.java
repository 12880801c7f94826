package io.lightgate;

import io.lightgate.config.ConfigException;
import io.lightgate.log.ErrorLog;
import io.lightgate.os.Posix;
import io.lightgate.server.Server;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * lighttpd's signals (reference §11): SIGTERM stops at once; SIGINT shuts down gracefully and a second
 * SIGINT stops at once; SIGUSR1 re-reads the config and restarts gracefully on the same listening sockets;
 * SIGHUP reopens the log files. Handlers run on the JVM's signal thread, never on an event loop.
 */
final class Signals {
    private Signals() { }

    static void install(Server server, Main.ConfigSource source, ErrorLog log) {
        AtomicBoolean shuttingDown = new AtomicBoolean();
        // A shell starts background jobs with SIGINT ignored; lighttpd still honours it, so do we.
        Posix.resetSignalToDefault(Posix.SIGINT);
        Signal.handle(new Signal("TERM"), s -> {
            log.write("server", "server stopped by signal SIGTERM");
            server.stopNow();
        });
        Signal.handle(new Signal("INT"), s -> {
            if (shuttingDown.compareAndSet(false, true)) {
                log.write("server", "[note] graceful shutdown started (SIGINT)");
                server.shutdownGracefully();
            } else {
                log.write("server", "server stopped by a second SIGINT");
                server.stopNow();
            }
        });
        Signal.handle(new Signal("USR1"), s -> {
            if (shuttingDown.get()) {
                return;
            }
            log.write("server", "[note] graceful restart started (SIGUSR1): re-reading " + source.name());
            try {
                server.restart(source.parse());
            } catch (ConfigException e) {
                log.write("server", "graceful restart failed, keeping the running config: " + e.getMessage());
            } catch (RuntimeException e) {
                log.write("server", "graceful restart failed, keeping the running config: " + e);
            }
        });
        Signal.handle(new Signal("HUP"), s -> server.reopenLogs());
    }
}
