package io.lightgate.gateway.cgi;

import io.lightgate.config.ConfigException;
import io.lightgate.config.ConfigKey;
import io.lightgate.config.Configuration;
import io.lightgate.gateway.BackendConnection;
import io.lightgate.gateway.ConnectListener;
import io.lightgate.gateway.Gateway;
import io.lightgate.gateway.Route;
import io.lightgate.gateway.Tunnel;
import io.lightgate.http.Exchange;
import io.lightgate.http.Module;
import io.lightgate.http.ModuleContext;
import io.lightgate.http.Request;
import io.lightgate.server.ModuleRegistry;
import io.lightgate.server.ServerKeys;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A test-scope module ("mod_testcgi", keys {@code testcgi.*}) that answers claimed requests with
 * {@link CgiExchange} over a TCP backend ({@link ScriptedCgiServer}): it first sends the backend one line
 * "METHOD target", then the request body; the host options {@code upgrade} and {@code x-sendfile} /
 * {@code x-sendfile-docroot} become the exchange's options.
 */
public final class TestCgiModule implements Module {
    private final Gateway gateway = new Gateway("testcgi", Gateway.Options.URI_STAGE);

    public static ModuleRegistry registry() {
        return ModuleRegistry.builtIn().register("mod_testcgi", TestCgiModule::new);
    }

    @Override
    public String name() {
        return "mod_testcgi";
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
        if (route == null) {
            return Hook.GO_ON;
        }
        route.connect(ex, new ConnectListener() {
            @Override
            public void connected(BackendConnection connection) {
                Request req = ex.request();
                connection.write(Unpooled.copiedBuffer(req.method() + " " + req.target() + "\n",
                        StandardCharsets.ISO_8859_1));
                connection.flush();
                boolean upgrade = connection.host().upgrade() && req.protocol() == Request.Protocol.HTTP_1_1
                        && req.headers().contains("Upgrade") && req.headers().contains("Connection");
                CgiExchange.Options options = CgiExchange.Options.of("mod_testcgi", "script " + req.path())
                        .withUpgrade(upgrade, Tunnel.ClientEof.SHUTDOWN_BACKEND_OUTPUT)
                        .withXSendfile(connection.host().xSendfile(), connection.host().xSendfileDocroot())
                        .withStreamResponseBody(ex.config().get(ServerKeys.STREAM_RESPONSE_BODY));
                CgiExchange.start(ex, new SocketCgiBackend(connection), options);
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
