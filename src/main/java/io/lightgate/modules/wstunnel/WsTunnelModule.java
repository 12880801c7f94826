package io.lightgate.modules.wstunnel;

import io.lightgate.config.ConfigException;
import io.lightgate.config.ConfigKey;
import io.lightgate.config.Configuration;
import io.lightgate.config.RequestConfig;
import io.lightgate.config.Scope;
import io.lightgate.config.ValueType;
import io.lightgate.gateway.BackendConnection;
import io.lightgate.gateway.ConnectListener;
import io.lightgate.gateway.Gateway;
import io.lightgate.gateway.Route;
import io.lightgate.gateway.Tunnel;
import io.lightgate.http.Exchange;
import io.lightgate.http.HttpStatus;
import io.lightgate.http.Module;
import io.lightgate.http.ModuleContext;
import io.lightgate.http.Request;
import io.lightgate.http.Response;
import io.lightgate.http.UpgradeHandler;
import io.lightgate.websocket.Handshake;
import io.lightgate.websocket.WebSocketStream;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * mod_wstunnel (reference §3): terminates a WebSocket and tunnels its payload bytes to a gateway backend.
 * Claims, in the uri-clean hook, HTTP/1.1 GET requests with {@code Upgrade: websocket} and
 * {@code Connection: upgrade} whose URL matches a {@code wstunnel.server} key; checks in lighttpd's order
 * (503 no host up, origins 400/403, version 426, key 400), connects, answers 101 and joins the client's
 * {@link WebSocketStream} to the backend with {@link Tunnel}.
 */
public final class WsTunnelModule implements Module {
    static final String NAME = "mod_wstunnel";

    static final ConfigKey<String> FRAME_TYPE =
            ConfigKey.of("wstunnel.frame-type", Scope.CONNECTION, ValueType.STRING, "text");
    static final ConfigKey<List<String>> ORIGINS =
            ConfigKey.of("wstunnel.origins", Scope.CONNECTION, ValueType.STRING_LIST, List.of());
    static final ConfigKey<Integer> PING_INTERVAL =
            ConfigKey.of("wstunnel.ping-interval", Scope.CONNECTION, ValueType.SHORT, 0);

    /** wstunnel.debug level at which lighttpd logs debug detail. */
    private static final int DEBUG = 4;

    private final Gateway gateway = new Gateway("wstunnel", Gateway.Options.URI_STAGE);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<ConfigKey<?>> configKeys() {
        List<ConfigKey<?>> keys = new ArrayList<>(gateway.configKeys());
        keys.addAll(List.of(FRAME_TYPE, ORIGINS, PING_INTERVAL));
        return keys;
    }

    @Override
    public void configure(Configuration config, ModuleContext context) throws ConfigException {
        for (List<String> origins : config.valuesInAllBlocks(ORIGINS)) {
            if (origins.contains("")) {
                throw new ConfigException(ORIGINS.name() + ": an empty string is not an origin");
            }
        }
        gateway.configure(config, context);
    }

    @Override
    public void stop() {
        gateway.stop();
    }

    @Override
    public Hook uriClean(Exchange ex) {
        Request req = ex.request();
        HttpHeaders headers = req.headers();
        if (req.protocol() != Request.Protocol.HTTP_1_1 || !req.method().equals("GET")
                || !Handshake.hasToken(headers.get("Upgrade"), "websocket")
                || !Handshake.hasToken(headers.get("Connection"), "upgrade")) {
            return Hook.GO_ON;
        }
        Route route = gateway.route(ex);
        if (route == null) {
            return Hook.GO_ON;
        }
        RequestConfig config = ex.config();
        int debug = gateway.debugLevel(config);
        int refusal = refusal(ex, route, config);
        if (refusal != 0) {
            if (debug >= DEBUG) {
                ex.errorLog().write(NAME, "refused " + req.target() + " with " + refusal);
            }
            if (refusal == 426) {
                // RFC 6455 §4.4: tell the client which version we speak (lighttpd answers 400 here).
                Response r = HttpStatus.errorResponse(426, ByteBufAllocator.DEFAULT);
                r.headers().set("Sec-WebSocket-Version", Handshake.VERSION);
                ex.respond(r);
            } else {
                ex.respondError(refusal);
            }
            return Hook.HANDLED;
        }
        route.connect(ex, new ConnectListener() {
            @Override
            public void connected(BackendConnection backend) {
                upgrade(ex, backend, debug);
            }

            @Override
            public void failed(int status, String why) {
                if (debug >= DEBUG) {
                    ex.errorLog().write(NAME, "no backend for " + req.target() + ": " + why);
                }
                ex.respondError(status);
            }
        });
        return Hook.HANDLED;
    }

    /** The status that refuses this handshake before connecting, or 0 (reference §3.3 order). */
    private static int refusal(Exchange ex, Route route, RequestConfig config) {
        if (!route.anyHostUp()) {
            return 503;
        }
        HttpHeaders headers = ex.request().headers();
        List<String> origins = config.get(ORIGINS);
        if (!origins.isEmpty()) {
            String origin = headers.get("Origin");
            if (origin == null || origin.isEmpty()) {
                return 400;
            }
            if (!OriginRule.allows(origins, origin)) {
                return 403;
            }
        }
        String version = headers.get("Sec-WebSocket-Version");
        if (version == null || !version.strip().equals(Handshake.VERSION)) {
            return 426;
        }
        // lighttpd checks only presence, after connecting; a malformed key wastes no backend connection here.
        if (!Handshake.isValidKey(headers.get("Sec-WebSocket-Key"))) {
            return 400;
        }
        return 0;
    }

    private static void upgrade(Exchange ex, BackendConnection backend, int debug) {
        HttpHeaders headers = ex.request().headers();
        RequestConfig config = ex.config();
        String offered = String.join(",", headers.getAll("Sec-WebSocket-Protocol"));
        boolean binary = config.get(FRAME_TYPE).toLowerCase(Locale.ROOT).equals("binary");
        String protocol = null;
        if (Handshake.hasToken(offered, "binary")) {
            binary = true;
            protocol = "binary";
        } else if (Handshake.hasToken(offered, "base64")) {
            protocol = "base64"; // echoed as lighttpd does; RFC 6455 mode does no base64 transform
        }
        Response switching = new Response(101);
        switching.headers().set("Upgrade", "websocket");
        switching.headers().set("Sec-WebSocket-Accept", Handshake.acceptValue(headers.get("Sec-WebSocket-Key")));
        if (protocol != null) {
            switching.headers().set("Sec-WebSocket-Protocol", protocol);
        }
        String target = ex.request().target();
        WebSocketStream.Options options = WebSocketStream.Options.of(config)
                .withBinary(binary)
                .withPingInterval(config.get(PING_INTERVAL))
                .withOnNotUtf8(() -> {
                    if (debug >= DEBUG) {
                        ex.errorLog().write(NAME, "backend sent bytes that are not UTF-8 for " + target
                                + ": sent as binary frames");
                    }
                });
        // refused: the client left while we connected, so the backend connection has no one to serve
        ex.upgrade(switching, UpgradeHandler.of(
                client -> Tunnel.join(new WebSocketStream(client, options), backend, config), backend::close));
    }
}
