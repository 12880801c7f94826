package io.lightgate.gateway;

import io.lightgate.http.Exchange;

/** The {@code <m>.server} key a request matched, with the balance in force for it. */
public interface Route {
    /** The matched key as written in the config ("/ws", ".php", ""). */
    String extensionKey();

    /** Whether the key is a URL prefix ("/ws/") rather than a suffix (".php", ""). */
    default boolean isPrefix() { return extensionKey().startsWith("/"); }

    /**
     * Whether the key's first host has {@code check-local} (lighttpd checks the host it picked; hosts of one key
     * normally agree): the module then claims the request in the subrequest stage, once the file is known to exist.
     */
    default boolean checkLocal() { return false; }

    /**
     * False when no host of the key has a proc up: the module answers 503 before any header check
     * (reference §3.3 step 1). "All handlers down" is logged once per key until a host is up again.
     */
    boolean anyHostUp();

    /**
     * Picks a host by the balance, connects on {@code exchange.eventLoop()} with the host's connect-timeout,
     * disables failing procs and retries as reference §2.5, then calls {@code listener} ON THAT EVENT LOOP
     * exactly once: {@code connected} (the caller then owns the connection and must close it) or
     * {@code failed(503, why)}.
     */
    void connect(Exchange exchange, ConnectListener listener);
}
