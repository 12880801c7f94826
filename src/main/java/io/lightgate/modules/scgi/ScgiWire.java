package io.lightgate.modules.scgi;

import io.lightgate.gateway.BackendConnection;
import io.lightgate.gateway.cgi.CgiBackend;
import io.lightgate.gateway.cgi.CgiVariable;
import io.lightgate.gateway.cgi.CgiWire;
import io.lightgate.gateway.cgi.ConnectionCgiBackend;
import io.lightgate.http.Exchange;
import io.netty.buffer.ByteBufAllocator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;

/** SCGI or uwsgi ({@code scgi.protocol}): the head is the environment, the body and the tunnel follow raw. */
enum ScgiWire implements CgiWire {
    SCGI("SCGI"),
    UWSGI("uwsgi");

    private final String name;

    ScgiWire(String name) {
        this.name = name;
    }

    @Override
    public String toString() {
        return name;
    }

    @Override
    public String protocolName() {
        return name;
    }

    @Override
    public boolean authorizerEnvironment() {
        return false;
    }

    @Override
    public Head head(List<CgiVariable> env, boolean authorizer, ByteBufAllocator alloc) {
        SequencedMap<String, String> vars = new LinkedHashMap<>();
        for (CgiVariable v : env) {
            vars.putIfAbsent(v.name(), v.value());
        }
        if (authorizer) {
            vars.put("CONTENT_LENGTH", "0"); // an authorizer gets no body (see docs/scgi-fastcgi.md)
        }
        EncodedHead encoded = this == SCGI ? ScgiCodec.encodeHead(vars, alloc) : UwsgiCodec.encodeHead(vars, alloc);
        return switch (encoded) {
            case EncodedHead.Encoded e -> new Encoded(e.head());
            case EncodedHead.Refused r -> new Refused(r.tooLarge() ? 431 : 400, r.why());
        };
    }

    @Override
    public CgiBackend backend(BackendConnection connection, Exchange exchange, String logSource) {
        return new ConnectionCgiBackend(connection, "SCGI");
    }
}
