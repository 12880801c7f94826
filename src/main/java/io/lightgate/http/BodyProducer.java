package io.lightgate.http;

/**
 * The source of a {@link Response.Streamed} body (a proxied or CGI response): the protocol layer starts it once
 * the response head is queued and tells it when to pause. Every call happens on the connection's event loop.
 * CONTRACT: the http work may add members; existing ones keep their meaning.
 */
public interface BodyProducer {

    /** The head is queued: write the body into {@code sink}, then {@link BodySink#end} or {@link BodySink#abort}. */
    void start(BodySink sink);

    /** The sink's {@link BodySink#isWritable()} changed: pause or resume the source (back-pressure). */
    void onWritabilityChanged(boolean writable);

    /**
     * The body will not be (fully) sent: the client left, the request was HEAD, the status allows no body, the
     * connection failed, or the producer wrote past its declared length. Stop and release everything; no sink call is allowed after this. Called at most once,
     * possibly instead of {@link #start}, never after {@link BodySink#end} or {@link BodySink#abort}.
     */
    void cancel();
}
