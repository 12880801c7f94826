package io.lightgate.http;

import io.lightgate.config.ConfigException;
import io.lightgate.config.ConfigKey;
import io.lightgate.config.Configuration;
import java.util.List;

/**
 * A lighttpd module: owns its config keys and takes part in the request pipeline through hooks called
 * in lighttpd's order (plugin.c), modules in {@code server.modules} order within each hook:
 * uri-clean (after URL normalisation; wstunnel, proxy, gateways with check-local off),
 * then the core chooses the document root, then physical-path (alias), then the core checks the physical path,
 * then subrequest-start (indexfile, cgi, gateways with check-local on, staticfile last). The first module that
 * answers {@link Hook#HANDLED} owns the request.
 * CONTRACT: the http work may add hooks (with defaults); existing ones keep their meaning.
 */
public interface Module {

    enum Hook { GO_ON, HANDLED }

    /** The name used in {@code server.modules}, e.g. "mod_staticfile". */
    String name();

    /** The keys this module owns (types, scopes, defaults). */
    default List<ConfigKey<?>> configKeys() { return List.of(); }

    /**
     * Checks the module's global config and prepares it (open logs, parse nested structures). Runs for
     * {@code -tt} too (without opening sockets or spawning). Errors abort start-up.
     */
    default void configure(Configuration config, ModuleContext context) throws ConfigException { }

    default Hook uriClean(Exchange exchange) { return Hook.GO_ON; }

    /**
     * physical-path (lighttpd's handle_physical): after the document root is chosen, before the core checks the
     * physical path. {@code base} holds the document root and the URL path; a module may map the request onto
     * another directory ({@link PhysicalBase#replace}), or answer and return {@link Hook#HANDLED}. Runs on the
     * event loop and must answer there if at all (no {@link Exchange#passOn}); {@link Exchange#physical()} is
     * still null. The core calls it only on modules that override it. Added for mod_alias.
     */
    default Hook physicalPath(Exchange exchange, PhysicalBase base) { return Hook.GO_ON; }

    default Hook subrequestStart(Exchange exchange) { return Hook.GO_ON; }

    /** After the response is complete (or the connection ended): access logging, counters. */
    default void requestDone(Exchange exchange, Response response, long bytesIn, long bytesOut) { }

    /** SIGHUP: reopen log files. */
    default void reopenLogs() { }

    /** Shutdown or graceful restart: release files, stop children. */
    default void stop() { }
}
