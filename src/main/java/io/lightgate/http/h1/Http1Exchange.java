package io.lightgate.http.h1;

import io.lightgate.config.RequestConfig;
import io.lightgate.http.CoreExchange;
import io.lightgate.http.HttpStatus;
import io.lightgate.http.PhysicalPath;
import io.lightgate.http.Request;
import io.lightgate.http.RequestBody;
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
    /** requestDone was called (once per request, however the response ended). */
    boolean done;
    final Http1RequestBody body;

    Http1Exchange(Http1Connection connection, Request request, RequestConfig config, long headBytes) {
        this.connection = connection;
        this.request = request;
        this.config = config;
        this.headBytes = headBytes;
        this.body = new Http1RequestBody(connection, this, request.contentLength());
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
    /** Touched only on the event loop (the pipeline runs there). */
    private int hookPosition;
    private java.util.List<io.lightgate.http.Module> passedOnBy;
    private java.util.SequencedMap<String, String> environment;

    @Override public void hookPosition(int position) { this.hookPosition = position; }
    @Override public int hookPosition() { return hookPosition; }

    @Override
    public void passOn(io.lightgate.http.Module by) {
        onLoop(() -> {
            if (answered.get()) {
                return; // the client left meanwhile (refusedByCore) or someone answered
            }
            if (passedOnBy == null) {
                passedOnBy = new java.util.ArrayList<>(1);
            }
            passedOnBy.add(by);
            clientGone = null;
            connection.resumePipeline(this);
        });
    }

    @Override
    public boolean passedOnBy(io.lightgate.http.Module module) {
        return passedOnBy != null && passedOnBy.contains(module);
    }

    @Override
    public java.util.SequencedMap<String, String> environment() {
        if (environment == null) {
            environment = new java.util.LinkedHashMap<>();
        }
        return environment;
    }

    @Override
    public void onClientGone(Runnable action) {
        clientGone = action;
    }

    /**
     * The client closed (or half-closed) before the answer: tell the module that still owes one. True when a
     * module was told and gave up (no answer started): the exchange is then answered by nobody and a late answer
     * is dropped, so the connection can close. On the event loop.
     */
    boolean connectionClosed() {
        Runnable action = clientGone;
        clientGone = null;
        if (action == null || answered.get()) {
            return false;
        }
        action.run();
        if (answered.compareAndSet(false, true)) {
            refusedByCore = true; // a module that still answers later is ignored, not an error
            return true;
        }
        return false;
    }

    /** Run by {@link #runDoneActions}; touched only on the event loop. */
    private java.util.List<Runnable> doneActions;
    private boolean over;

    @Override
    public void onDone(Runnable action) {
        onLoop(() -> {
            if (over) {
                action.run();
                return;
            }
            if (doneActions == null) {
                doneActions = new java.util.ArrayList<>(1);
            }
            doneActions.add(action);
        });
    }

    /** The exchange is over (answered to the end, or its connection gone): runs the {@link #onDone} actions once. */
    void runDoneActions() {
        if (over) {
            return;
        }
        over = true;
        if (doneActions == null) {
            return;
        }
        for (Runnable action : doneActions) {
            try {
                action.run();
            } catch (RuntimeException e) {
                errorLog().write("server", "end-of-request action for " + request.target() + " failed: " + e);
            }
        }
        doneActions = null;
    }

    @Override
    public RequestBody requestBody() {
        return body;
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
        if (!claimForCore()) {
            return false;
        }
        sendCoreError(status);
        return true;
    }

    /** Takes the answer from the module unless it answered already; a later module answer is dropped. */
    boolean claimForCore() {
        if (!answered.compareAndSet(false, true)) {
            return false;
        }
        refusedByCore = true;
        return true;
    }

    /** Sends the core's error answer after {@link #claimForCore} succeeded. */
    void sendCoreError(int status) {
        onLoop(() -> connection.sendResponse(this, HttpStatus.errorResponse(status, connection.alloc())));
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
