package io.lightgate.http;

import io.lightgate.config.RequestConfig;
import io.lightgate.log.ErrorLog;
import io.netty.channel.EventLoop;

/**
 * One request in flight, as modules see it: the request, the config in force for it, where it maps in
 * the file system, and the ways to answer. Exactly one of {@link #respond}, {@link #respondError} or
 * {@link #upgrade} is called once by the module that claimed the request, from any thread.
 * CONTRACT: the http work may add members; existing ones keep their meaning.
 */
public interface Exchange {
    Request request();

    RequestConfig config();

    /** Null before the core resolved the document root (uri-clean stage). */
    PhysicalPath physical();

    void physical(PhysicalPath physical);

    /**
     * What follows the file in the URL path when the core found a file before the path's end
     * ({@code "/x"} for {@code /index.txt/x}, lighttpd's PATH_INFO), else "".
     */
    default String pathInfo() { return ""; }

    ErrorLog errorLog();

    /** The request body, to be streamed by the module that claimed the request (see {@link RequestBody}). */
    RequestBody requestBody();

    EventLoop eventLoop();

    /**
     * Runs {@code action} on the event loop if the client's connection closes (or the client half-closes after its
     * request) before this exchange is answered: a module waiting for a backend then lets the backend go. Unless
     * the action answers, the core then closes the connection and drops any later answer. At most one action;
     * later calls replace it.
     */
    default void onClientGone(Runnable action) { }

    /**
     * Runs {@code action} on the event loop once this exchange is over: its response written to the end (or
     * failed), its upgraded stream closed, or its connection gone without an answer; at once when that already
     * happened. Actions run in the order given. Added for {@link RequestBodySpool}, whose spooled body holds
     * memory and a temp file until then.
     */
    default void onDone(Runnable action) {
        throw new UnsupportedOperationException("this exchange does not report its end");
    }

    /** Sends {@code response}; the core owns its body from here on. */
    void respond(Response response);

    /** Sends lighttpd's error response for {@code status} (a small HTML body, or none for HEAD). */
    void respondError(int status);

    /**
     * Sends {@code switching} (101 for HTTP/1.1) and then hands the connection to {@code handler} as a
     * byte stream. Keep-alive ends: the connection closes when the stream does.
     */
    void upgrade(Response switching, UpgradeHandler handler);

    /**
     * Gives back a request this module claimed ({@link Module.Hook#HANDLED}) without answering it, as lighttpd's
     * FastCGI authorizer does when it allows a request: the pipeline goes on with the next module of the hook
     * the request was claimed in, then the later hooks, as if {@code by} had said {@link Module.Hook#GO_ON}. Call
     * at most once, after the hook returned, from any thread. {@link #passedOnBy} remembers {@code by}.
     * Added for mod_fastcgi's authorizer.
     */
    default void passOn(Module by) {
        throw new UnsupportedOperationException("this exchange cannot be passed on");
    }

    /** Whether {@code module} passed this request on ({@link #passOn}): it then does not claim it again. */
    default boolean passedOnBy(Module module) { return false; }

    /**
     * Variables modules set for this request (a FastCGI authorizer's {@code Variable-*} headers), exported to
     * CGI-style backends after the request's own (reference §8). Mutable where the protocol layer keeps them
     * (HTTP/1), else an empty, unmodifiable map. Touch it on the exchange's event loop. Added for mod_fastcgi.
     */
    default java.util.SequencedMap<String, String> environment() {
        return java.util.Collections.unmodifiableSequencedMap(new java.util.LinkedHashMap<>());
    }
}
