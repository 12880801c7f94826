package io.lightgate.modules.scgi;

import io.lightgate.gateway.BackendConnection;
import io.lightgate.gateway.cgi.CgiBackend;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;

/**
 * An SCGI (or uwsgi) backend as a {@link CgiBackend}: the request head went out before; body bytes, and after a
 * 101 the client's bytes, follow it raw on the same socket, and the backend's bytes are its CGI output. The body's
 * length was declared in the head, so {@link #endRequestBody} sends nothing; the client's half-close in a tunnel is
 * {@code shutdown(SHUT_WR)}.
 */
final class ScgiBackend implements CgiBackend {
    private final BackendConnection connection;

    ScgiBackend(BackendConnection connection) {
        this.connection = connection;
    }

    @Override
    public void endRequestBody() {
        // CONTENT_LENGTH told the backend where the body ends
    }

    @Override
    public long bytesIn() { return connection.bytesIn(); }

    @Override
    public long bytesOut() { return connection.bytesOut(); }

    @Override
    public EventLoop eventLoop() { return connection.eventLoop(); }

    @Override
    public void listen(Listener listener) { connection.listen(listener); }

    @Override
    public void write(ByteBuf data) { connection.write(data); }

    @Override
    public void flush() { connection.flush(); }

    @Override
    public boolean isWritable() { return connection.isWritable(); }

    @Override
    public void setReadable(boolean readable) { connection.setReadable(readable); }

    @Override
    public void shutdownOutput() { connection.shutdownOutput(); }

    @Override
    public void close() { connection.close(); }

    @Override
    public void closeAbnormally() { connection.closeAbnormally(); }

    @Override
    public String toString() {
        return "SCGI " + connection;
    }
}
