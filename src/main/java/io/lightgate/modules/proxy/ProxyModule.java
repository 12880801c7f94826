package io.lightgate.modules.proxy;

import io.lightgate.config.ConfigException;
import io.lightgate.config.ConfigKey;
import io.lightgate.config.Configuration;
import io.lightgate.config.RequestConfig;
import io.lightgate.config.Scope;
import io.lightgate.config.ValueType;
import io.lightgate.gateway.BackendPool;
import io.lightgate.gateway.Gateway;
import io.lightgate.gateway.HostConfig;
import io.lightgate.gateway.Route;
import io.lightgate.http.Exchange;
import io.lightgate.http.Module;
import io.lightgate.http.ModuleContext;
import io.lightgate.http.Request;
import io.lightgate.http.RequestBody;
import io.lightgate.http.RequestBodySpool;
import io.lightgate.http.RequestTarget;
import io.lightgate.server.FeatureFlags;
import io.lightgate.server.ServerKeys;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * mod_proxy (reference §4): an HTTP/1.1 reverse proxy in the uri-clean hook for URLs matching a
 * {@code proxy.server} key. Requests and responses are streamed both ways; an allowed {@code Upgrade} answered
 * with 101 becomes a byte tunnel; plain {@code CONNECT} is tunnelled when enabled.
 */
public final class ProxyModule implements Module {
    static final String NAME = "mod_proxy";

    static final ConfigKey<ProxyHeaderOptions> HEADER =
            ConfigKey.of("proxy.header", Scope.CONNECTION, ProxyHeaderOptions.TYPE, ProxyHeaderOptions.NONE);
    static final ConfigKey<ForwardedParams> FORWARDED =
            ConfigKey.of("proxy.forwarded", Scope.CONNECTION, ForwardedParams.TYPE, ForwardedParams.NONE);
    static final ConfigKey<Boolean> REPLACE_HTTP_HOST =
            ConfigKey.of("proxy.replace-http-host", Scope.CONNECTION, ValueType.BOOL, false);
    /** lightgate: reuse backend connections for plain requests (lighttpd opens one per request). */
    static final ConfigKey<Boolean> BACKEND_KEEP_ALIVE =
            ConfigKey.of("proxy.backend-keep-alive", Scope.CONNECTION, ValueType.BOOL, false);
    /**
     * Seconds an idle pooled backend connection is kept. 30: below the usual idle limits of backend servers
     * (nginx and Node keep idle connections 60-75 s, Apache 5 s is the exception), so most of the time we close
     * first and do not race the backend's close.
     */
    static final ConfigKey<Integer> BACKEND_KEEP_ALIVE_IDLE =
            ConfigKey.of("proxy.backend-keep-alive-idle", Scope.CONNECTION, ValueType.SHORT, 30);

    private final Gateway gateway = new Gateway("proxy", Gateway.Options.URI_STAGE);
    private boolean forceHttp10Flag;
    private boolean upgradeWithRequestBody;
    private final BackendPool pool = new BackendPool();
    private final BackendConnections pooled = BackendConnections.pooled(pool);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<ConfigKey<?>> configKeys() {
        List<ConfigKey<?>> keys = new ArrayList<>(gateway.configKeys());
        keys.addAll(List.of(HEADER, FORWARDED, REPLACE_HTTP_HOST, BACKEND_KEEP_ALIVE, BACKEND_KEEP_ALIVE_IDLE));
        return keys;
    }

    @Override
    public void configure(Configuration config, ModuleContext context) throws ConfigException {
        FeatureFlags flags = FeatureFlags.parse(config.global(ServerKeys.FEATURE_FLAGS));
        forceHttp10Flag = flags.flag("proxy.force-http10", false);
        upgradeWithRequestBody = flags.upgradeWithRequestBody();
        gateway.configure(config, context);
    }

    @Override
    public void stop() {
        gateway.stop();
    }

    @Override
    public Hook uriClean(Exchange ex) {
        Route route = gateway.route(ex);
        if (route == null) {
            return Hook.GO_ON;
        }
        Settings settings = new Settings(ex.config());
        Request req = ex.request();
        boolean connect = req.method().equals("CONNECT");
        if (connect && !settings.options().connect()) {
            return Hook.GO_ON; // the core answers 405, as lighttpd without "connect" => "enable"
        }
        if (!route.anyHostUp()) {
            ex.respondError(503);
            return Hook.HANDLED;
        }
        if (connect) {
            new ConnectTunnel(ex, route, settings.debug()).start();
            return Hook.HANDLED;
        }
        if (settings.forceHttp10() && req.contentLength() == -2) {
            // an HTTP/1.0 backend needs a Content-Length: read a chunked body whole first, as lighttpd does
            RequestBodySpool.spool(ex, NAME, body -> new ProxyRequest(settings, ex, body, route).start());
            return Hook.HANDLED;
        }
        new ProxyRequest(settings, ex, ex.requestBody(), route).start();
        return Hook.HANDLED;
    }

    /** The proxy settings in force for one request. */
    final class Settings {
        private final RequestConfig config;
        private final ProxyHeaderOptions options;

        Settings(RequestConfig config) {
            this.config = config;
            this.options = config.get(HEADER);
        }

        ProxyHeaderOptions options() { return options; }

        int debug() { return gateway.debugLevel(config); }

        boolean forceHttp10() {
            return options.forceHttp10() != null ? options.forceHttp10() : forceHttp10Flag;
        }

        ForwardedParams forwarded() { return config.get(FORWARDED); }

        /**
         * Backend keep-alive for a request whose body has {@code bodyLength} ({@link RequestBody#length}): only
         * without a body, so that a retry can replay it.
         */
        boolean keepAlive(long bodyLength) {
            return config.get(BACKEND_KEEP_ALIVE) && bodyLength <= 0;
        }

        int keepAliveIdle() { return config.get(BACKEND_KEEP_ALIVE_IDLE); }

        BackendConnections connector(long bodyLength) {
            return keepAlive(bodyLength) ? pooled : BackendConnections.FRESH;
        }

        /** A new connection, never a pooled one (the retry after a pooled connection turned out dead). */
        BackendConnections fresh() { return BackendConnections.FRESH; }

        /**
         * gw_upgrade_policy (reference §1.3): enabled by proxy.header or the host, HTTP/1.1 only, an
         * {@code Upgrade} and a {@code Connection} header present, no request body (unless the
         * {@code gw.upgrade-with-request-body} feature flag says otherwise; {@code bodyLength} as
         * {@link RequestBody#length}).
         */
        boolean upgradeAllowed(Request req, long bodyLength, HostConfig host) {
            HttpHeaders h = req.headers();
            return (options.upgrade() || host.upgrade())
                    && req.protocol() == Request.Protocol.HTTP_1_1
                    && h.contains("Upgrade") && h.contains("Connection")
                    && (bodyLength <= 0 || upgradeWithRequestBody);
        }

        /** The request-target for the backend: origin-form, with the first matching map-urlpath prefix replaced. */
        String backendTarget(Request req) {
            String target = RequestTarget.originForm(req.target());
            Map.Entry<String, String> m = requestPathMapping(target);
            if (m == null) {
                return target;
            }
            String mapped = m.getValue() + target.substring(m.getKey().length());
            return mapped.isEmpty() || mapped.charAt(0) == '?' ? "/" + mapped : mapped;
        }

        /** The first map-urlpath entry (config order) whose key is a prefix of {@code target}, or null. */
        Map.Entry<String, String> requestPathMapping(String target) {
            for (Map.Entry<String, String> m : options.mapUrlpath().entrySet()) {
                if (target.startsWith(m.getKey())) {
                    return m;
                }
            }
            return null;
        }

        /**
         * The Host for the backend: the host label with replace-http-host, else the client's Host mapped by
         * map-host-request (first matching key in config order; "-" key: the client's Host, so any; "-" value: the
         * client's Host; "" value: leave it); null when there is none.
         */
        String backendHost(Request req, HostConfig host) {
            if (config.get(REPLACE_HTTP_HOST) && host.label() != null && !host.label().isEmpty()) {
                return host.label();
            }
            String clientHost = req.host() == null || req.host().isEmpty() ? null : req.host();
            String mapped = ResponseUrlMapper.mapHost(options.mapHostRequest(), clientHost, clientHost, clientHost);
            return mapped != null ? mapped : clientHost;
        }

        /** map-host-response, map-urlpath and https-remap on Location, Content-Location and Set-Cookie. */
        void rewriteResponse(Request req, HostConfig host, HttpHeaders headers) {
            if (!options.rewritesResponses() && !options.httpsRemap()) {
                return;
            }
            new ResponseUrlMapper(options, req.host(), backendHost(req, host), "https".equals(req.scheme()),
                    requestPathMapping(RequestTarget.originForm(req.target()))).rewrite(headers);
        }
    }
}
