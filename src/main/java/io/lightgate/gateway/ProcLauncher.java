package io.lightgate.gateway;

import io.lightgate.config.ConfigException;
import io.lightgate.http.ModuleContext;
import java.util.List;

/**
 * Starts the procs of a host with {@code bin-path} at configure time and reports which run (reference §2.6).
 * Gateway calls it once per distinct program and address list; hosts without bin-path never reach it.
 */
@FunctionalInterface
public interface ProcLauncher {
    /** Treats every bin-path host as already running elsewhere ("external"): just connect. */
    ProcLauncher EXTERNAL = (host, addresses, context) -> ProcSet.EXTERNAL;

    /**
     * @param addresses proc i listens on {@code addresses.get(i)} ({@code <socket>-<i>} or {@code port + i})
     */
    ProcSet launch(HostConfig host, List<BackendAddress> addresses, ModuleContext context) throws ConfigException;
}
