package io.lightgate.gateway.cgi;

import io.lightgate.gateway.BackendConnection;
import io.lightgate.gateway.ConnectListener;
import io.lightgate.gateway.HostConfig;
import io.lightgate.gateway.Route;
import io.lightgate.gateway.Tunnel;
import io.lightgate.http.Exchange;
import io.lightgate.server.ServerKeys;
import io.lightgate.http.Request;
import io.lightgate.http.RequestBody;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One request to an SCGI/uwsgi/FastCGI backend, up to the moment the answer is under way: connects through the
 * route, decides the upgrade (gw_upgrade_policy, reference §1.3) for the host it got, splits SCRIPT_NAME and
 * PATH_INFO (§2.2), builds the environment (§8; a header-name collision is 400), writes the head, and hands the
 * backend to {@link CgiExchange} (responder) or {@link AuthorizerExchange} (authorizer). Runs on the exchange's loop.
 */
final class GatewayCgiRequest implements ConnectListener {
    private final GatewayCgiDispatch.Settings settings;
    private final Exchange ex;
    /** The body for the backend: the client's, or the spooled copy of a chunked one. */
    private final RequestBody body;
    private final Route route;
    private final boolean authorizer;
    private final boolean subrequestStage;
    private boolean clientGone;

    GatewayCgiRequest(GatewayCgiDispatch.Settings settings, Exchange ex, RequestBody body, Route route,
                      boolean authorizer, boolean subrequestStage) {
        this.settings = settings;
        this.ex = ex;
        this.body = body;
        this.route = route;
        this.authorizer = authorizer;
        this.subrequestStage = subrequestStage;
    }

    void start() {
        ex.onClientGone(() -> clientGone = true);
        route.connect(ex, this);
    }

    @Override
    public void failed(int status, String why) {
        if (clientGone) {
            return;
        }
        settings.debugLog(ex, "no backend for " + ex.request().target() + ": " + why);
        ex.respondError(status);
    }

    @Override
    public void connected(BackendConnection connection) {
        if (clientGone) {
            connection.close(); // the client left while we connected
            return;
        }
        HostConfig host = connection.host();
        Request req = ex.request();
        boolean upgrade = !authorizer && settings.upgradeAllowed(req, body.length(), host);
        CgiEnvironment.ScriptSplit split = scriptSplit(host);
        CgiEnvOptions options = new CgiEnvOptions(CgiEnvOptions.Flavor.GATEWAY, split.scriptName(), split.pathInfo(),
                null, host.docroot(), host.stripRequestUri(), host.brokenScriptFilename(), upgrade,
                authorizer && settings.wire().authorizerEnvironment(), authorizer ? 0 : Math.max(0, body.length()),
                requestEnv());
        CgiEnvironment.Result result = CgiEnvironment.build(ex, options);
        if (result instanceof CgiEnvironment.Collision c) {
            refuse(connection, 400, "request headers \"" + c.firstHeader() + "\" and \"" + c.secondHeader()
                    + "\" both map to " + c.variable());
            return;
        }
        List<CgiVariable> env = ((CgiEnvironment.Built) result).variables();
        CgiWire.Head head = settings.wire().head(env, authorizer, ByteBufAllocator.DEFAULT);
        if (head instanceof CgiWire.Refused r) {
            refuse(connection, r.status(), r.why());
            return;
        }
        connection.write(((CgiWire.Encoded) head).bytes());
        connection.flush();
        CgiBackend backend = settings.wire().backend(connection, ex, settings.logSource());
        String script = host.address() + split.scriptName();
        settings.debugLog(ex, req.method() + " " + req.target() + " sent to " + settings.wire().protocolName() + " backend "
                + host.address() + (authorizer ? " (authorizer)" : upgrade ? " (upgrade allowed)" : ""));
        if (authorizer) {
            AuthorizerExchange.start(ex, backend, settings.owner(), settings.logSource(), script);
        } else {
            CgiExchange.Options opts = CgiExchange.Options.of(settings.logSource(), script)
                    .withUpgrade(upgrade, Tunnel.ClientEof.SHUTDOWN_BACKEND_OUTPUT)
                    .withXSendfile(host.xSendfile() || host.allowXSendFile(), host.xSendfileDocroot())
                    .withDebug(settings.debug(ex))
                    .withStreamResponseBody(ex.config().get(ServerKeys.STREAM_RESPONSE_BODY));
            CgiExchange.start(ex, body, backend, opts);
        }
    }

    private void refuse(BackendConnection connection, int status, String why) {
        connection.close();
        ex.errorLog().write(settings.logSource(), "refused " + ex.request().target() + " (" + status + "): " + why);
        ex.respondError(status);
    }

    /**
     * SCRIPT_NAME and PATH_INFO: in the uri-clean stage a prefix key splits at the first '/' after it (not for an
     * authorizer), in the subrequest stage the core's PATH_INFO split stands (gw_check_extension).
     */
    private CgiEnvironment.ScriptSplit scriptSplit(HostConfig host) {
        String path = ex.request().path();
        if (subrequestStage) {
            String pathInfo = ex.pathInfo();
            return new CgiEnvironment.ScriptSplit(path.substring(0, path.length() - pathInfo.length()), pathInfo);
        }
        if (authorizer || !route.isPrefix()) {
            return new CgiEnvironment.ScriptSplit(path, "");
        }
        CgiEnvironment.ScriptSplit split = CgiEnvironment.splitPathInfo(route.extensionKey(), path,
                host.fixRootScriptname());
        return split != null ? split : new CgiEnvironment.ScriptSplit(path, "");
    }

    /** Variables modules set for the request (an authorizer's Variable-* headers). */
    private List<CgiVariable> requestEnv() {
        Map<String, String> vars = ex.environment();
        if (vars.isEmpty()) {
            return List.of();
        }
        List<CgiVariable> out = new ArrayList<>(vars.size());
        vars.forEach((k, v) -> out.add(new CgiVariable(k, v)));
        return out;
    }
}
