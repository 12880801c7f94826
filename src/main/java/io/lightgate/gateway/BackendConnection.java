package io.lightgate.gateway;

import io.lightgate.http.ByteStream;

/**
 * A connected backend: a {@link ByteStream} plus the host it belongs to. The host's load counts this
 * connection until it closes. Reading starts with {@link #listen}; the host's read-timeout and
 * write-timeout (0 = off) end it with {@link ByteStream.Listener#onFailed}.
 */
public interface BackendConnection extends ByteStream {
    HostConfig host();

    /** Bytes received from the backend so far. */
    long bytesIn();

    /** Bytes queued to the backend so far. */
    long bytesOut();

    /** Whether this connection served an earlier request and came from a {@link BackendPool}. */
    default boolean reused() { return false; }
}
