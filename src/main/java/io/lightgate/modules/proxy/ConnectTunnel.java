package io.lightgate.modules.proxy;

import io.lightgate.gateway.BackendConnection;
import io.lightgate.gateway.ConnectListener;
import io.lightgate.gateway.Route;
import io.lightgate.gateway.Tunnel;
import io.lightgate.http.Exchange;
import io.lightgate.http.Response;
import io.lightgate.http.UpgradeHandler;

/**
 * Plain {@code CONNECT} with {@code proxy.header "connect" => "enable"} (reference §4.5): the configured backend is
 * connected (not the authority the client named), the client gets 200 and the two are joined as a raw tunnel.
 * No request is sent to the backend.
 */
final class ConnectTunnel implements ConnectListener {
    private final Exchange ex;
    private final Route route;
    private final int debug;

    ConnectTunnel(Exchange ex, Route route, int debug) {
        this.ex = ex;
        this.route = route;
        this.debug = debug;
    }

    void start() {
        route.connect(ex, this);
    }

    @Override
    public void connected(BackendConnection backend) {
        if (debug > 0) {
            ex.errorLog().write(ProxyModule.NAME, "CONNECT " + ex.request().target() + " tunnelled to "
                    + backend.host().address());
        }
        ex.upgrade(new Response(200), UpgradeHandler.of(client -> Tunnel.join(client, backend, ex.config()),
                backend::close));
    }

    @Override
    public void failed(int status, String why) {
        if (debug > 0) {
            ex.errorLog().write(ProxyModule.NAME, "no backend for CONNECT " + ex.request().target() + ": " + why);
        }
        ex.respondError(status);
    }
}
