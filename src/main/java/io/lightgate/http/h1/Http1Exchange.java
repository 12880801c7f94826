package io.lightgate.http.h1;

import io.lightgate.config.RequestConfig;
import io.lightgate.http.CoreExchange;
import io.lightgate.http.HttpStatus;
import io.lightgate.http.PhysicalPath;
import io.lightgate.http.Request;
import io.lightgate.http.Response;
import io.lightgate.http.UpgradeHandler;
import io.lightgate.log.ErrorLog;
import io.netty.channel.EventLoop;
import java.util.concurrent.atomic.AtomicBoolean;

/** One HTTP/1.x request in flight; answers are handed to its connection on the event loop. */
final class Http1Exchange implements CoreExchange {
    private final Http1Connection connection;
    private final Request request;
    private final RequestConfig config;
    private final AtomicBoolean answered = new AtomicBoolean();
    private volatile PhysicalPath physical;
    private volatile String pathInfo = "";
    /** The core refused the request while a module worked on it: the module's late answer is dropped. */
    private volatile boolean refusedByCore;

    // Connection-side bookkeeping, touched only on the event loop.
    final long headBytes;
    long bodyBytes;
    long bytesOut;
    Response response;
    boolean responseWritten;

    Http1Exchange(Http1Connection connection, Request request, RequestConfig config, long headBytes) {
        this.connection = connection;
        this.request = request;
        this.config = config;
        this.headBytes = headBytes;
    }

    @Override public Request request() { return request; }
    @Override public RequestConfig config() { return config; }
    @Override public PhysicalPath physical() { return physical; }
    @Override public void physical(PhysicalPath physical) { this.physical = physical; }
    @Override public String pathInfo() { return pathInfo; }
    @Override public void pathInfo(String pathInfo) { this.pathInfo = pathInfo; }
    @Override public ErrorLog errorLog() { return connection.site().errorLog(); }
    @Override public EventLoop eventLoop() { return connection.eventLoop(); }
    @Override public boolean answered() { return answered.get(); }

    private volatile Runnable clientGone;

    @Override
    public void onClientGone(Runnable action) {
        clientGone = action;
    }

    /** The connection closed: tell the module that still owes an answer. On the event loop. */
    void connectionClosed() {
        Runnable action = clientGone;
        clientGone = null;
        if (action != null && !answered.get()) {
            action.run();
        }
    }

    @Override
    public io.lightgate.http.RequestBody requestBody() {
        // placeholder until the core-bodies branch lands: no module streams request bodies yet
        throw new UnsupportedOperationException("request bodies are not streamed to modules yet");
    }

    @Override
    public void respond(Response response) {
        if (!answered.compareAndSet(false, true)) {
            Http1ResponseWriter.release(response.body());
            if (refusedByCore) {
                return;
            }
            throw new IllegalStateException("request already answered: " + request.target());
        }
        onLoop(() -> connection.sendResponse(this, response));
    }

    @Override
    public void respondError(int status) {
        respond(HttpStatus.errorResponse(status, connection.alloc()));
    }

    @Override
    public void upgrade(Response switching, UpgradeHandler handler) {
        if (!answered.compareAndSet(false, true)) {
            Http1ResponseWriter.release(switching.body());
            if (refusedByCore) {
                onLoop(handler::refused);
                return;
            }
            throw new IllegalStateException("request already answered: " + request.target());
        }
        onLoop(() -> connection.upgrade(this, switching, handler));
    }

    /** Answers unless a module already did (a refusal that arrives while a module works). */
    boolean respondErrorIfUnanswered(int status) {
        if (!answered.compareAndSet(false, true)) {
            return false;
        }
        refusedByCore = true;
        onLoop(() -> connection.sendResponse(this, HttpStatus.errorResponse(status, connection.alloc())));
        return true;
    }

    private void onLoop(Runnable task) {
        EventLoop loop = connection.eventLoop();
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }
}
