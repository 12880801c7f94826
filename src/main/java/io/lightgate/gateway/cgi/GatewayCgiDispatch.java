package io.lightgate.gateway.cgi;

import io.lightgate.config.ConfigException;
import io.lightgate.config.Configuration;
import io.lightgate.gateway.Gateway;
import io.lightgate.gateway.HostConfig;
import io.lightgate.gateway.Route;
import io.lightgate.http.Exchange;
import io.lightgate.http.Module;
import io.lightgate.http.ModuleContext;
import io.lightgate.http.Request;
import io.lightgate.http.RequestBody;
import io.lightgate.http.RequestBodySpool;
import io.lightgate.server.FeatureFlags;
import io.lightgate.server.ServerKeys;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * What mod_scgi and mod_fastcgi share (lighttpd's gw_check_extension and its two hooks): a request whose URL (or
 * file) matches a key is claimed in the uri-clean hook when the key's host has {@code check-local} disabled, else
 * in the subrequest-start hook once the core found the file (a missing one got 404 from the core). Authorizer
 * keys are tried first, responder keys after, and after an authorizer allowed the request only responder keys.
 */
public final class GatewayCgiDispatch {
    private final Module owner;
    private final Gateway gateway;
    private final CgiWire wire;
    private boolean upgradeWithRequestBody;

    /** {@code owner} is the module whose hooks call this; {@code wire} may change per request (scgi.protocol). */
    public GatewayCgiDispatch(Module owner, Gateway gateway, CgiWire wire) {
        this.owner = owner;
        this.gateway = gateway;
        this.wire = wire;
    }

    /** Reads the feature flags and prepares the gateway's hosts. */
    public void configure(Configuration config, ModuleContext context) throws ConfigException {
        upgradeWithRequestBody = FeatureFlags.parse(config.global(ServerKeys.FEATURE_FLAGS)).upgradeWithRequestBody();
        gateway.configure(config, context);
    }

    public Module.Hook uriClean(Exchange ex) {
        return dispatch(ex, false, wire);
    }

    public Module.Hook subrequestStart(Exchange ex) {
        return dispatch(ex, true, wire);
    }

    /** As {@link #uriClean}/{@link #subrequestStart} with the wire chosen for this request. */
    public Module.Hook dispatch(Exchange ex, boolean subrequestStage, CgiWire requestWire) {
        if (ex.request().method().equals("CONNECT")) {
            return Module.Hook.GO_ON; // plain CONNECT is mod_proxy's; the core answers 405
        }
        boolean authorizer = false;
        Route route = null;
        if (!ex.passedOnBy(owner)) {
            route = gateway.route(ex, HostConfig.Mode.AUTHORIZER);
            authorizer = route != null;
        }
        if (route == null) {
            route = gateway.route(ex, HostConfig.Mode.RESPONDER);
            if (route == null) {
                return Module.Hook.GO_ON;
            }
        }
        if (!subrequestStage && route.checkLocal()) {
            return Module.Hook.GO_ON; // claimed in subrequest-start, once the file is known to exist
        }
        if (!route.anyHostUp()) {
            ex.respondError(503);
            return Module.Hook.HANDLED;
        }
        Settings settings = new Settings(requestWire);
        Route chosen = route;
        if (ex.request().contentLength() == -2 && !authorizer) {
            // CONTENT_LENGTH must be known up front: read a chunked body whole first, as lighttpd does
            RequestBodySpool.spool(ex, owner.name(), body ->
                    new GatewayCgiRequest(settings, ex, body, chosen, false, subrequestStage).start());
            return Module.Hook.HANDLED;
        }
        new GatewayCgiRequest(settings, ex, ex.requestBody(), route, authorizer, subrequestStage).start();
        return Module.Hook.HANDLED;
    }

    /** Shutdown or reload: stops the procs the gateway spawned. */
    public void stop() {
        gateway.stop();
    }

    /** What one request needs from the module. */
    final class Settings {
        private final CgiWire wire;

        Settings(CgiWire wire) {
            this.wire = wire;
        }

        CgiWire wire() { return wire; }

        Module owner() { return owner; }

        String logSource() { return owner.name(); }

        int debug(Exchange ex) { return gateway.debugLevel(ex.config()); }

        void debugLog(Exchange ex, String line) {
            if (debug(ex) > 0) {
                ex.errorLog().write(logSource(), line);
            }
        }

        /**
         * gw_upgrade_policy (reference §1.3): the host allows it, HTTP/1.1, {@code Upgrade} and {@code Connection}
         * present, no request body ({@code bodyLength} as {@link RequestBody#length}) unless the
         * {@code gw.upgrade-with-request-body} feature flag says otherwise.
         * When false the program never sees HTTP_UPGRADE.
         */
        boolean upgradeAllowed(Request req, long bodyLength, HostConfig host) {
            HttpHeaders h = req.headers();
            return host.upgrade() && req.protocol() == Request.Protocol.HTTP_1_1
                    && h.contains("Upgrade") && h.contains("Connection")
                    && (bodyLength <= 0 || upgradeWithRequestBody);
        }
    }
}
