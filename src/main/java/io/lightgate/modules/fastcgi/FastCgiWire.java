package io.lightgate.modules.fastcgi;

import io.lightgate.gateway.BackendConnection;
import io.lightgate.gateway.cgi.CgiBackend;
import io.lightgate.gateway.cgi.CgiVariable;
import io.lightgate.gateway.cgi.CgiWire;
import io.lightgate.http.Exchange;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;

/**
 * FastCGI as lighttpd speaks it: request id 1, BEGIN_REQUEST with the role and no flags (one connection per
 * request), every param in one PARAMS record and the empty one, then STDIN records (see {@link FastCgiBackend}).
 */
final class FastCgiWire implements CgiWire {
    static final FastCgiWire INSTANCE = new FastCgiWire();

    private FastCgiWire() { }

    @Override
    public String protocolName() {
        return "FastCGI";
    }

    @Override
    public boolean authorizerEnvironment() {
        return true;
    }

    @Override
    public Head head(List<CgiVariable> env, boolean authorizer, ByteBufAllocator alloc) {
        SequencedMap<String, String> vars = new LinkedHashMap<>();
        for (CgiVariable v : env) {
            vars.putIfAbsent(v.name(), v.value());
        }
        return switch (FastCgiEncoder.params(alloc, FastCgiBackend.REQUEST_ID, vars)) {
            case EncodedParams.Refused r -> new Refused(400, r.why());
            case EncodedParams.Encoded e -> {
                ByteBuf begin = FastCgiEncoder.beginRequest(alloc, FastCgiBackend.REQUEST_ID,
                        authorizer ? FastCgi.AUTHORIZER : FastCgi.RESPONDER, false);
                yield new Encoded(alloc.compositeBuffer(2).addComponents(true, begin, e.records()));
            }
        };
    }

    @Override
    public CgiBackend backend(BackendConnection connection, Exchange exchange, String logSource) {
        return new FastCgiBackend(connection, exchange.errorLog(), logSource, ByteBufAllocator.DEFAULT);
    }
}
