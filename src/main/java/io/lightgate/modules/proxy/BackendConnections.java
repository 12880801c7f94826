package io.lightgate.modules.proxy;

import io.lightgate.gateway.BackendConnection;
import io.lightgate.gateway.ConnectListener;
import io.lightgate.gateway.Route;
import io.lightgate.http.Exchange;

/** Where a proxied request gets its backend connection and where it leaves it when the response is complete. */
interface BackendConnections {
    /** Connects (or reuses) on the exchange's event loop; {@code listener} hears exactly once. */
    void connect(Route route, Exchange exchange, ConnectListener listener);

    /** A connection whose response was read completely and which the backend keeps open. */
    void recycle(BackendConnection connection, int idleSeconds);

    /** lighttpd's way: a new connection per request, closed after it. */
    BackendConnections FRESH = new BackendConnections() {
        @Override
        public void connect(Route route, Exchange exchange, ConnectListener listener) {
            route.connect(exchange, listener);
        }

        @Override
        public void recycle(BackendConnection connection, int idleSeconds) {
            connection.close();
        }
    };

    /** lightgate's backend keep-alive: idle connections reused through {@code pool}. */
    static BackendConnections pooled(io.lightgate.gateway.BackendPool pool) {
        return new BackendConnections() {
            @Override
            public void connect(Route route, Exchange exchange, ConnectListener listener) {
                pool.connect(route, exchange, listener);
            }

            @Override
            public void recycle(BackendConnection connection, int idleSeconds) {
                pool.release(connection, idleSeconds);
            }
        };
    }
}
