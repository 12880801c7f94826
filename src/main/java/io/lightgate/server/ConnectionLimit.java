package io.lightgate.server;

import io.lightgate.log.ErrorLog;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.EventExecutor;
import java.util.Collection;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * {@code server.max-connections} as lighttpd applies it: once that many connections are open the listening
 * sockets stop accepting (new connections wait in the kernel's backlog), and they accept again as soon as one
 * has closed, with lighttpd's note in the error log each way. Sits on every listening channel, ahead of the
 * acceptor, so each connection is counted as it is accepted: at the limit the accept loop stops at once and
 * the count never passes the limit. Counting and switching happen on the one boss loop only.
 */
@ChannelHandler.Sharable
final class ConnectionLimit extends ChannelInboundHandlerAdapter {
    private static final String SOURCE = "server";

    private final EventExecutor boss;
    private final IntSupplier limit;
    private final Supplier<Collection<Channel>> listeners;
    private final ErrorLog log;
    private int open;
    private boolean paused;

    /**
     * @param boss      the single loop every listening channel runs on
     * @param limit     the limit in force (0 = none), read at every change so a graceful restart applies
     * @param listeners the listening channels to switch
     */
    ConnectionLimit(EventExecutor boss, IntSupplier limit, Supplier<Collection<Channel>> listeners, ErrorLog log) {
        this.boss = boss;
        this.limit = limit;
        this.listeners = listeners;
        this.log = log;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Channel connection) {
            open++;
            connection.closeFuture().addListener(f -> onBoss(this::closed));
            update();
        }
        ctx.fireChannelRead(msg);
    }

    /** The listening channels changed (a graceful restart bound new ones): they follow the current state. */
    void listenersChanged() {
        onBoss(() -> listeners.get().forEach(l -> l.config().setAutoRead(!paused)));
    }

    private void onBoss(Runnable task) {
        if (boss.inEventLoop()) {
            task.run();
            return;
        }
        try {
            boss.execute(task);
        } catch (RejectedExecutionException stopped) {
            // the server is stopping: nothing accepts any more
        }
    }

    private void closed() {
        open--;
        update();
    }

    private void update() {
        int max = limit.getAsInt();
        boolean full = max > 0 && open >= max;
        if (full == paused) {
            return;
        }
        paused = full;
        listeners.get().forEach(l -> l.config().setAutoRead(!full));
        log.write(SOURCE, full ? "[note] sockets disabled, connection limit reached (server.max-connections = "
                + max + ")" : "[note] sockets enabled again");
    }
}
