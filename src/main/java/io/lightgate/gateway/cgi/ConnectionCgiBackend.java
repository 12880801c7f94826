package io.lightgate.gateway.cgi;

import io.lightgate.gateway.BackendConnection;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;

/**
 * A {@link CgiBackend} over a backend socket: writes go out raw, the socket's input is the program's output, the
 * client's half-close in a tunnel is {@code shutdown(SHUT_WR)}. As is, this is SCGI and uwsgi (the head declared the
 * body's length, so {@link #endRequestBody} sends nothing); protocols that frame the stream (FastCGI) override
 * {@link #listen}, {@link #write} and {@link #endRequestBody}.
 */
public class ConnectionCgiBackend implements CgiBackend {
    protected final BackendConnection connection;
    private final String protocol;

    /** {@code protocol} names the backend in log lines ("SCGI", "FastCGI"). */
    public ConnectionCgiBackend(BackendConnection connection, String protocol) {
        this.connection = connection;
        this.protocol = protocol;
    }

    @Override
    public void endRequestBody() {
        // the request head's CONTENT_LENGTH told the backend where the body ends
    }

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

    @Override
    public String toString() {
        return protocol + " " + connection;
    }
}
