package io.lightgate.gateway.cgi;
/** A program speaking CGI over a byte stream: write() feeds its stdin, onData is its stdout, onEndOfInput its
 *  stdout's end (FastCGI: END_REQUEST). Timeouts surface as onFailed(BackendTimeoutException). */
public interface CgiBackend extends io.lightgate.http.ByteStream {
    /** The request body is complete and no tunnel follows: pipes close stdin; FastCGI sends the empty
     *  FCGI_STDIN record; SCGI does nothing (the body length was declared). */
    void endRequestBody();
    /** The program answered 101: from now on bytes are tunnelled; client half-close arrives as shutdownOutput()
     *  (pipes: close stdin; sockets: shutdown(SHUT_WR); FastCGI keeps wrapping writes in FCGI_STDIN records). */
    default void tunnelStarted() { }
    /** Bytes read from / written to the program so far (for the access log and tests). */
    long bytesIn();
    long bytesOut();
}
