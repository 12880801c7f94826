package io.lightgate.gateway.cgi;

import io.lightgate.gateway.BackendConnection;

/**
 * A {@link CgiBackend} over a TCP backend connection, for testing {@link CgiExchange} before the pipes exist: the
 * program's stdin is the connection's output (its end is a half-close), its stdout the connection's input.
 */
final class SocketCgiBackend extends ConnectionCgiBackend {
    boolean tunnelStarted;

    SocketCgiBackend(BackendConnection connection) {
        super(connection, "test program");
    }

    @Override public void endRequestBody() { connection.shutdownOutput(); }
    @Override public void tunnelStarted() { tunnelStarted = true; }
}
