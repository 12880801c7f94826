package io.lightgate.modules.fastcgi;

import io.lightgate.config.ConfigException;
import io.lightgate.config.ConfigKey;
import io.lightgate.config.Configuration;
import io.lightgate.gateway.Gateway;
import io.lightgate.gateway.cgi.GatewayCgiDispatch;
import io.lightgate.http.Exchange;
import io.lightgate.http.Module;
import io.lightgate.http.ModuleContext;
import java.util.List;

/**
 * mod_fastcgi (reference §7): {@code fastcgi.server}, {@code .balance}, {@code .debug}, {@code .map-extensions}.
 * Responders get the request as FastCGI records and answer CGI-style (with upgrade when the host enables it);
 * authorizers (role 2) decide whether the request goes on to the next handler.
 */
public final class FastCgiModule implements Module {
    static final String NAME = "mod_fastcgi";

    private final Gateway gateway = new Gateway("fastcgi", Gateway.Options.CGI_FAMILY);
    private final GatewayCgiDispatch dispatch = new GatewayCgiDispatch(this, gateway, FastCgiWire.INSTANCE);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<ConfigKey<?>> configKeys() {
        return gateway.configKeys();
    }

    @Override
    public void configure(Configuration config, ModuleContext context) throws ConfigException {
        dispatch.configure(config, context);
    }

    @Override
    public Hook uriClean(Exchange exchange) {
        return dispatch.uriClean(exchange);
    }

    @Override
    public Hook subrequestStart(Exchange exchange) {
        return dispatch.subrequestStart(exchange);
    }

    @Override
    public void stop() {
        dispatch.stop();
    }
}
