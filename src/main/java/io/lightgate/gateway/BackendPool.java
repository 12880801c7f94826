package io.lightgate.gateway;

import io.lightgate.http.ByteStream;
import io.lightgate.http.Exchange;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Idle backend connections kept for reuse (a lightgate improvement: lighttpd opens one connection per request).
 * One pool per module instance; connections are kept per backend host and per event loop, so every operation
 * runs on the loop that owns the connections and needs no lock. An idle connection is watched: anything from the
 * backend (bytes, EOF, reset) or the idle limit closes it and drops it from the pool. The newest idle connection is
 * reused first (the one least likely to have been closed by the backend meanwhile).
 */
public final class BackendPool {
    private final FastThreadLocal<Map<BackendHost, ArrayDeque<Idle>>> idle = new FastThreadLocal<>() {
        @Override
        protected Map<BackendHost, ArrayDeque<Idle>> initialValue() {
            return new HashMap<>();
        }
    };

    /**
     * Hands {@code listener} an idle connection to one of the route's hosts if there is one ({@link
     * BackendConnection#reused()} is then true), else connects as {@link Route#connect} does. Call on the
     * exchange's event loop.
     */
    public void connect(Route route, Exchange exchange, ConnectListener listener) {
        if (route instanceof GatewayRoute g && exchange.eventLoop().inEventLoop()) {
            Map<BackendHost, ArrayDeque<Idle>> mine = idle.get();
            for (BackendHost host : g.extension().hosts()) {
                ArrayDeque<Idle> q = mine.get(host);
                Idle i;
                while (q != null && (i = q.pollLast()) != null) {
                    i.timer.cancel(false);
                    if (i.connection.reusable()) {
                        i.connection.markReused();
                        listener.connected(i.connection);
                        return;
                    }
                    i.connection.closeAbnormally();
                }
            }
        }
        route.connect(exchange, listener);
    }

    /**
     * Keeps {@code connection} (its response read completely, the backend keeping it open) for {@code idleSeconds};
     * closes it instead when it cannot be reused or the limit is 0. Call on the connection's event loop.
     */
    public void release(BackendConnection connection, int idleSeconds) {
        if (!(connection instanceof ChannelBackendConnection c) || !c.reusable() || idleSeconds <= 0
                || !c.eventLoop().inEventLoop()) {
            connection.close();
            return;
        }
        BackendHost host = c.proc().host();
        ArrayDeque<Idle> q = idle.get().computeIfAbsent(host, h -> new ArrayDeque<>());
        Idle entry = new Idle(c, q);
        entry.timer = c.eventLoop().schedule(entry::expire, idleSeconds, TimeUnit.SECONDS);
        q.addLast(entry);
        c.listen(entry);
        c.setReadable(true); // see the backend's EOF or reset while idle
    }

    /** Number of idle connections this event loop holds (for tests and the status page). */
    public int idleCount() {
        int n = 0;
        for (ArrayDeque<Idle> q : idle.get().values()) {
            n += q.size();
        }
        return n;
    }

    /** One idle connection and its watch. */
    private static final class Idle implements ByteStream.Listener {
        final ChannelBackendConnection connection;
        final ArrayDeque<Idle> queue;
        ScheduledFuture<?> timer;

        Idle(ChannelBackendConnection connection, ArrayDeque<Idle> queue) {
            this.connection = connection;
            this.queue = queue;
        }

        void expire() {
            if (queue.remove(this)) {
                connection.close();
            }
        }

        private void drop() {
            if (queue.remove(this)) {
                timer.cancel(false);
            }
            connection.closeAbnormally();
        }

        @Override
        public void onData(ByteBuf data) {
            data.release(); // nothing was asked: a backend talking out of turn is not reused
            drop();
        }

        @Override
        public void onEndOfInput() {
            drop();
        }

        @Override
        public void onWritabilityChanged(boolean writable) { }

        @Override
        public void onFailed(Throwable cause) {
            drop();
        }

        @Override
        public void onClosed() {
            if (queue.remove(this)) {
                timer.cancel(false);
            }
        }
    }
}
