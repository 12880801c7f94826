package io.lightgate.gateway.cgi;

import io.lightgate.gateway.BackendConnection;
import io.lightgate.http.Exchange;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;

/** How one gateway protocol (SCGI, uwsgi, FastCGI) opens a request on a connected backend. */
public interface CgiWire {

    /** The encoded request head, or why the environment cannot be sent. */
    sealed interface Head permits Encoded, Refused { }

    /** The head; the caller owns {@code bytes}. */
    record Encoded(ByteBuf bytes) implements Head { }

    /** The environment cannot be sent: {@code status} 400 (FastCGI, SCGI) or 431 (uwsgi's 16-bit size). */
    record Refused(int status, String why) implements Head { }

    /** What the error log and messages call the protocol ("SCGI", "uwsgi", "FastCGI"). */
    String protocolName();

    /**
     * Whether an authorizer's environment leaves out CONTENT_LENGTH, SCRIPT_NAME and PATH_INFO (FastCGI); SCGI
     * builds it as for a responder, as lighttpd's mod_scgi does.
     */
    boolean authorizerEnvironment();

    /** Encodes the request head (FastCGI: BEGIN_REQUEST with the role, and the params). */
    Head head(List<CgiVariable> env, boolean authorizer, ByteBufAllocator alloc);

    /** The backend as a {@link CgiBackend}, after the head was written to it. */
    CgiBackend backend(BackendConnection connection, Exchange exchange, String logSource);
}
