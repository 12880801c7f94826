package io.lightgate.gateway;

import io.lightgate.config.RequestConfig;
import io.lightgate.http.ByteStream;
import io.netty.buffer.ByteBuf;

/**
 * Joins a client stream and a backend stream (both on one event loop) until both are done: bytes flow
 * each way as they arrive, flushed once per read round (one write syscall for all a read brought), with
 * back-pressure both ways. A side is read only while the other side is
 * writable, so each direction holds at most the receiver's write-buffer high-water mark (64 KiB on backend
 * channels, the channel's mark on the client) plus what one read round brings (at most a few read buffers):
 * about 128 KiB per direction at worst, whatever the peers do.
 * <p>
 * Ends: client EOF does what {@link ClientEof} says (for a backend connection: shut down the backend's output
 * when the host has {@code tcp-fin-propagate}, else close both, what lighttpd does in practice, reference §1.5);
 * backend EOF shuts down the client's output; once
 * both inputs ended both are closed. A failed backend ends the client abnormally
 * ({@link ByteStream#closeAbnormally}); a failed or closed client closes the backend. Every buffer is released.
 */
public final class Tunnel {
    /** What the client's half-close (TCP FIN / END_STREAM) does to the tunnel. */
    public enum ClientEof {
        /** Half-close the backend ({@link ByteStream#shutdownOutput}) and keep relaying its bytes. */
        SHUTDOWN_BACKEND_OUTPUT,
        /** Close both sides at once. */
        CLOSE_BOTH
    }

    private final ByteStream client;
    private final ByteStream backend;
    private final ClientEof clientEof;
    private boolean clientEnded;
    private boolean backendEnded;
    private boolean clientClosed;
    private boolean backendClosed;
    /** The client was ended with closeAbnormally: a later plain close must not replace that. */
    private boolean clientAborted;
    private long bytesToBackend;
    private long bytesToClient;

    private Tunnel(ByteStream client, ByteStream backend, ClientEof clientEof) {
        this.client = client;
        this.backend = backend;
        this.clientEof = clientEof;
    }

    /**
     * Joins a client and a backend connection (both on the same event loop) until both are done; client EOF
     * half-closes the backend when its host has {@code tcp-fin-propagate}, else closes both. Call on that loop.
     */
    public static Tunnel join(ByteStream client, BackendConnection backend, RequestConfig config) {
        return join(client, backend, backend.host().tcpFinPropagate()
                ? ClientEof.SHUTDOWN_BACKEND_OUTPUT : ClientEof.CLOSE_BOTH);
    }

    /** Joins two streams (both on the same event loop) until both are done. Call on that loop. */
    public static Tunnel join(ByteStream client, ByteStream backend, ClientEof clientEof) {
        Tunnel t = new Tunnel(client, backend, clientEof);
        client.listen(t.new ClientSide());
        backend.listen(t.new BackendSide());
        return t;
    }

    /** Bytes passed from the client to the backend so far. */
    public long bytesToBackend() { return bytesToBackend; }

    /** Bytes passed from the backend to the client so far. */
    public long bytesToClient() { return bytesToClient; }

    /** Whether both sides are closed. */
    public boolean isDone() { return clientClosed && backendClosed; }

    private void bothEndedCheck() {
        if (clientEnded && backendEnded) {
            client.close();
            backend.close();
        }
    }

    private final class ClientSide implements ByteStream.Listener {
        @Override
        public void onData(ByteBuf data) {
            if (backendClosed) {
                data.release();
                return;
            }
            bytesToBackend += data.readableBytes();
            backend.write(data);
            if (!backend.isWritable()) {
                client.setReadable(false);
            }
        }

        @Override
        public void onReadComplete() {
            if (!backendClosed) {
                backend.flush();
            }
        }

        @Override
        public void onEndOfInput() {
            clientEnded = true;
            if (clientEof == ClientEof.SHUTDOWN_BACKEND_OUTPUT) {
                backend.shutdownOutput();
                bothEndedCheck();
            } else {
                client.close();
                backend.close();
            }
        }

        @Override
        public void onWritabilityChanged(boolean writable) {
            if (!backendClosed) {
                backend.setReadable(writable);
            }
        }

        @Override
        public void onFailed(Throwable cause) {
            backend.close();
        }

        @Override
        public void onClosed() {
            clientClosed = true;
            if (!backendClosed) {
                backend.close();
            }
        }
    }

    private final class BackendSide implements ByteStream.Listener {
        @Override
        public void onData(ByteBuf data) {
            if (clientClosed) {
                data.release();
                return;
            }
            bytesToClient += data.readableBytes();
            client.write(data);
            if (!client.isWritable()) {
                backend.setReadable(false);
            }
        }

        @Override
        public void onReadComplete() {
            if (!clientClosed) {
                client.flush();
            }
        }

        @Override
        public void onEndOfInput() {
            backendEnded = true;
            client.shutdownOutput();
            bothEndedCheck();
        }

        @Override
        public void onWritabilityChanged(boolean writable) {
            if (!clientClosed) {
                client.setReadable(writable);
            }
        }

        @Override
        public void onFailed(Throwable cause) {
            clientAborted = true;
            client.closeAbnormally();
        }

        @Override
        public void onClosed() {
            backendClosed = true;
            if (!clientAborted && !clientClosed) {
                client.close();
            }
        }
    }
}
