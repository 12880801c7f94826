package io.lightgate.modules.scgi;

import io.lightgate.config.ConfigException;
import io.lightgate.config.ConfigKey;
import io.lightgate.config.Configuration;
import io.lightgate.config.Scope;
import io.lightgate.config.ValueType;
import io.lightgate.gateway.Gateway;
import io.lightgate.gateway.cgi.GatewayCgiDispatch;
import io.lightgate.http.Exchange;
import io.lightgate.http.Module;
import io.lightgate.http.ModuleContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * mod_scgi (reference §6): {@code scgi.server}, {@code .balance}, {@code .debug}, {@code .map-extensions} and
 * {@code scgi.protocol} ("scgi" or "uwsgi"). The request goes out as an SCGI netstring or a uwsgi packet with the
 * body after it; the answer is CGI-style, with upgrade when the host enables it (the client's bytes then follow
 * the head raw).
 */
public final class ScgiModule implements Module {
    static final String NAME = "mod_scgi";

    /** "scgi" or "uwsgi", any case (lighttpd compares without case); anything else is a start-up error. */
    static final ValueType<ScgiWire> PROTOCOL_TYPE = v -> switch (ValueType.STRING.convert(v).toLowerCase(Locale.ROOT)) {
        case "scgi" -> ScgiWire.SCGI;
        case "uwsgi" -> ScgiWire.UWSGI;
        default -> throw new ValueType.TypeMismatch("expected \"scgi\" or \"uwsgi\", got \""
                + ValueType.STRING.convert(v) + "\"");
    };

    static final ConfigKey<ScgiWire> PROTOCOL = ConfigKey.of("scgi.protocol", Scope.CONNECTION, PROTOCOL_TYPE,
            ScgiWire.SCGI);

    private final Gateway gateway = new Gateway("scgi", Gateway.Options.CGI_FAMILY);
    private final GatewayCgiDispatch dispatch = new GatewayCgiDispatch(this, gateway, ScgiWire.SCGI);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<ConfigKey<?>> configKeys() {
        List<ConfigKey<?>> keys = new ArrayList<>(gateway.configKeys());
        keys.add(PROTOCOL);
        return keys;
    }

    @Override
    public void configure(Configuration config, ModuleContext context) throws ConfigException {
        dispatch.configure(config, context);
    }

    @Override
    public Hook uriClean(Exchange exchange) {
        return dispatch.dispatch(exchange, false, exchange.config().get(PROTOCOL));
    }

    @Override
    public Hook subrequestStart(Exchange exchange) {
        return dispatch.dispatch(exchange, true, exchange.config().get(PROTOCOL));
    }

    @Override
    public void stop() {
        dispatch.stop();
    }
}
