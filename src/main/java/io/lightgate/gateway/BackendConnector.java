package io.lightgate.gateway;

import io.lightgate.http.Exchange;
import io.lightgate.log.ErrorLog;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import java.util.concurrent.TimeUnit;

/**
 * One {@link Route#connect} call: pick a host and proc, connect on the client's event loop, and on failure
 * disable the proc for its disable-time and try again (reference §2.5: up to 5 retries after refused
 * connects, one after a timed-out connect), then report 503. Reports exactly once, on that loop.
 */
final class BackendConnector {
    /** lighttpd retries a request on another proc this many times after a failed connect. */
    static final int MAX_RETRIES = 5;
    /** Write-buffer water marks of a backend channel: what one tunnel direction may queue toward it. */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

    private final Extension extension;
    private final Balance balance;
    private final Exchange exchange;
    private final EventLoop loop;
    private final ConnectListener listener;
    private final String logSource;
    private int retries;
    private boolean timedOutOnce;
    private String lastError;
    private boolean reported;

    BackendConnector(Extension extension, Balance balance, Exchange exchange, ConnectListener listener,
                     String logSource) {
        this.extension = extension;
        this.balance = balance;
        this.exchange = exchange;
        this.loop = exchange.eventLoop();
        this.listener = listener;
        this.logSource = logSource;
    }

    void start() {
        attempt();
    }

    private void attempt() {
        long now = System.nanoTime();
        BackendHost host = balance.pick(extension, exchange.request(), now);
        BackendProc proc = host == null ? null : host.leastLoadedProc(now);
        if (proc == null) {
            if (extension.downLogged.compareAndSet(false, true)) {
                log("all handlers for \"" + extension.key() + "\" are down");
            }
            fail("all handlers for \"" + extension.key() + "\" are down"
                    + (lastError == null ? "" : " (last: " + lastError + ")"));
            return;
        }
        extension.downLogged.set(false);
        proc.acquire();
        HostConfig hc = host.config();
        BackendTransport transport = BackendTransport.of(loop);
        ChannelBackendConnection connection = new ChannelBackendConnection(proc);
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(transport.channelType(proc.address()))
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) Math.min(Integer.MAX_VALUE, TimeUnit.SECONDS.toMillis(hc.connectTimeout())))
                .handler(connection);
        if (proc.address() instanceof BackendAddress.Tcp) {
            bootstrap.option(ChannelOption.TCP_NODELAY, true);
        }
        ChannelFuture future;
        try {
            future = bootstrap.connect(proc.address().toSocketAddress(transport.epoll()));
        } catch (RuntimeException | Error e) {
            // epoll throws rather than failing the future for some address problems
            connectFailed(proc, e);
            return;
        }
        future.addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                f.channel().closeFuture().addListener(c -> proc.release());
                report(connection);
            } else {
                connectFailed(proc, f.cause());
            }
        });
    }

    private void connectFailed(BackendProc proc, Throwable cause) {
        proc.release();
        boolean timeout = cause instanceof ConnectTimeoutException;
        String why = timeout ? "connect-timeout (" + proc.host().config().connectTimeout() + " s)" : describe(cause);
        lastError = "connect to " + proc + ": " + why;
        if (proc.disable(System.nanoTime())) {
            log("connect to " + proc + " failed: " + why + "; disabled for "
                    + proc.host().config().disableTime() + " s");
        }
        if (timeout) {
            if (timedOutOnce) {
                fail(lastError);
                return;
            }
            timedOutOnce = true;
        }
        if (retries >= MAX_RETRIES) {
            fail(lastError);
            return;
        }
        retries++;
        attempt();
    }

    private static String describe(Throwable cause) {
        String m = cause.getMessage();
        return m == null ? cause.getClass().getSimpleName() : m;
    }

    private void report(ChannelBackendConnection connection) {
        if (reported) {
            connection.closeAbnormally();
            return;
        }
        reported = true;
        try {
            listener.connected(connection);
        } catch (RuntimeException e) {
            connection.closeAbnormally();
            throw e;
        }
    }

    private void fail(String why) {
        if (reported) {
            return;
        }
        reported = true;
        listener.failed(503, why);
    }

    private void log(String message) {
        ErrorLog log = exchange.errorLog();
        if (log != null) {
            log.write(logSource, message);
        }
    }
}
