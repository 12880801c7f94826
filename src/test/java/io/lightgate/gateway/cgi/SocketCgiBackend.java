package io.lightgate.gateway.cgi;

import io.lightgate.gateway.BackendConnection;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;

/**
 * A {@link CgiBackend} over a TCP backend connection, for testing {@link CgiExchange} before the pipes exist: the
 * program's stdin is the connection's output (its end is a half-close), its stdout the connection's input.
 */
final class SocketCgiBackend implements CgiBackend {
    private final BackendConnection connection;
    boolean tunnelStarted;

    SocketCgiBackend(BackendConnection connection) {
        this.connection = connection;
    }

    @Override public void endRequestBody() { connection.shutdownOutput(); }
    @Override public void tunnelStarted() { tunnelStarted = true; }
    @Override public long bytesIn() { return connection.bytesIn(); }
    @Override public long bytesOut() { return connection.bytesOut(); }
    @Override public EventLoop eventLoop() { return connection.eventLoop(); }
    @Override public void listen(Listener listener) { connection.listen(listener); }
    @Override public void write(ByteBuf data) { connection.write(data); }
    @Override public void flush() { connection.flush(); }
    @Override public boolean isWritable() { return connection.isWritable(); }
    @Override public void setReadable(boolean readable) { connection.setReadable(readable); }
    @Override public void shutdownOutput() { connection.shutdownOutput(); }
    @Override public void close() { connection.close(); }
    @Override public void closeAbnormally() { connection.closeAbnormally(); }
}
