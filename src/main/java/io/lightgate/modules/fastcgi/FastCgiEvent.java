package io.lightgate.modules.fastcgi;

import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.SequencedMap;

/**
 * What {@link FastCgiDecoder} finds in a FastCGI byte stream, for either side. Data events hold a retained
 * slice of the decoder's input: the receiver owns it and must {@link #release()} the event.
 */
public sealed interface FastCgiEvent {

    /** Releases the data an event holds (nothing for events without data). */
    default void release() { }

    /** FCGI_BEGIN_REQUEST (server side). An unknown role is reported as is: answer END_REQUEST UNKNOWN_ROLE. */
    record BeginRequest(int id, int role, int flags) implements FastCgiEvent {
        public boolean keepConn() {
            return (flags & FastCgi.KEEP_CONN) != 0;
        }
    }

    /** FCGI_ABORT_REQUEST (server side). */
    record AbortRequest(int id) implements FastCgiEvent { }

    /** The complete FCGI_PARAMS stream of a request, once its empty record arrived (server side). */
    record Params(int id, SequencedMap<String, String> params) implements FastCgiEvent { }

    /** Request body bytes from FCGI_STDIN (server side); owned by the receiver. */
    record Stdin(int id, ByteBuf data) implements FastCgiEvent {
        @Override
        public void release() {
            data.release();
        }
    }

    /** The empty FCGI_STDIN record: the request body is complete (server side). */
    record StdinEnd(int id) implements FastCgiEvent { }

    /** Response bytes from FCGI_STDOUT (client side); owned by the receiver. */
    record Stdout(int id, ByteBuf data) implements FastCgiEvent {
        @Override
        public void release() {
            data.release();
        }
    }

    /** Error-log bytes from FCGI_STDERR (client side); owned by the receiver. */
    record Stderr(int id, ByteBuf data) implements FastCgiEvent {
        @Override
        public void release() {
            data.release();
        }
    }

    /** FCGI_END_REQUEST (client side): the application's exit status and the protocol status. */
    record EndRequest(int id, int appStatus, int protocolStatus) implements FastCgiEvent { }

    /** FCGI_GET_VALUES (server side): answer with {@link FastCgiEncoder#getValuesResult}. */
    record GetValues(List<String> names) implements FastCgiEvent { }

    /**
     * A record this decoder does not interpret: FCGI_DATA, GET_VALUES_RESULT, UNKNOWN_TYPE, or a type FastCGI 1.0
     * does not define (a server answers those with {@link FastCgiEncoder#unknownType}). Its content is skipped.
     */
    record OtherRecord(int type, int id) implements FastCgiEvent { }

    /** The stream is not valid FastCGI; nothing follows. */
    record Malformed(String why) implements FastCgiEvent { }
}
