package io.lightgate.gateway;

import io.lightgate.config.ConfigException;
import io.lightgate.config.ConfigKey;
import io.lightgate.config.Configuration;
import io.lightgate.http.Exchange;
import io.lightgate.http.Module;
import io.lightgate.http.ModuleContext;
import io.lightgate.http.Response;
import io.lightgate.server.ModuleRegistry;
import io.lightgate.testing.TestModule;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test-scope module ("mod_testtunnel", keys {@code testtunnel.*}) that does what a gateway module does
 * with a route: a claimed request with an Upgrade header gets 503 when every host is down, else is
 * connected to a backend and, once connected, answered 101 and tunnelled byte for byte; a failed connect
 * is answered with its status. Every tunnel and backend connection is recorded for the tests.
 */
public final class TestTunnelModule implements Module {
    public static final List<Tunnel> TUNNELS = new CopyOnWriteArrayList<>();
    public static final List<BackendConnection> BACKENDS = new CopyOnWriteArrayList<>();

    private final Gateway gateway = new Gateway("testtunnel", Gateway.Options.URI_STAGE);

    public static ModuleRegistry registry() {
        return TestModule.registry().register("mod_testtunnel", TestTunnelModule::new);
    }

    @Override
    public String name() {
        return "mod_testtunnel";
    }

    @Override
    public List<ConfigKey<?>> configKeys() {
        return gateway.configKeys();
    }

    @Override
    public void configure(Configuration config, ModuleContext context) throws ConfigException {
        gateway.configure(config, context);
    }

    @Override
    public Hook uriClean(Exchange ex) {
        Route route = gateway.route(ex);
        if (route == null || !ex.request().headers().contains("Upgrade")) {
            return Hook.GO_ON;
        }
        if (!route.anyHostUp()) {
            ex.respondError(503);
            return Hook.HANDLED;
        }
        route.connect(ex, new ConnectListener() {
            @Override
            public void connected(BackendConnection backend) {
                BACKENDS.add(backend);
                Response switching = new Response(101);
                switching.headers().set("Upgrade", ex.request().headers().get("Upgrade"));
                switching.headers().set("X-Backend", backend.host().label() == null ? "" : backend.host().label());
                ex.upgrade(switching, io.lightgate.http.UpgradeHandler.of(
                        client -> TUNNELS.add(Tunnel.join(client, backend, ex.config())), backend::close));
            }

            @Override
            public void failed(int status, String why) {
                ex.respondError(status);
            }
        });
        return Hook.HANDLED;
    }

    @Override
    public void stop() {
        gateway.stop();
    }
}
