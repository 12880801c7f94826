package io.lightgate.http.h1;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One timer per event loop, as lighttpd's once-a-second maintenance: every second it asks each connection
 * of its loop whether an idle limit has passed. Connections register and leave on their own loop thread,
 * so no locking is needed.
 */
final class IdleSweeper {

    /** A connection whose timeouts are swept. */
    interface Watched {
        /** Called on the loop thread about once a second; closes the connection if a limit has passed. */
        void checkIdle(long nowNanos);
    }

    private static final FastThreadLocal<IdleSweeper> PER_LOOP = new FastThreadLocal<>();

    private final EventLoop loop;
    private final Set<Watched> watched = new LinkedHashSet<>();
    private ScheduledFuture<?> task;

    private IdleSweeper(EventLoop loop) {
        this.loop = loop;
    }

    /** Registers {@code w}; must run on {@code loop}. */
    static void add(EventLoop loop, Watched w) {
        IdleSweeper s = PER_LOOP.get();
        if (s == null || s.loop != loop) {
            s = new IdleSweeper(loop);
            PER_LOOP.set(s);
        }
        s.watched.add(w);
        if (s.task == null) {
            IdleSweeper sweeper = s;
            s.task = loop.scheduleAtFixedRate(sweeper::sweep, 1, 1, TimeUnit.SECONDS);
        }
    }

    static void remove(EventLoop loop, Watched w) {
        IdleSweeper s = PER_LOOP.get();
        if (s != null && s.loop == loop) {
            s.watched.remove(w);
            if (s.watched.isEmpty() && s.task != null) {
                s.task.cancel(false);
                s.task = null;
            }
        }
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Watched w : watched.toArray(new Watched[0])) {
            w.checkIdle(now);
        }
    }
}
