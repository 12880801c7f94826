package io.lightgate.modules.fastcgi;

import io.lightgate.gateway.BackendConnection;
import io.lightgate.gateway.cgi.CgiBackend;
import io.lightgate.gateway.cgi.ConnectionCgiBackend;
import io.lightgate.http.Cumulation;
import io.lightgate.http.HttpText;
import io.lightgate.log.ErrorLog;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A FastCGI backend connection carrying one request (id 1, no keep-conn) as a {@link CgiBackend}: writes become
 * FCGI_STDIN records, {@link #endRequestBody} the empty STDIN record, FCGI_STDOUT content is the program's output,
 * FCGI_STDERR goes to the error log one line at a time, FCGI_END_REQUEST ends the output (the connection is closed
 * then, as lighttpd does: later bytes are not read). A record stream that is not FastCGI fails the backend. In a
 * tunnel the client's bytes keep going out as STDIN records (never terminated); its half-close is
 * {@code shutdown(SHUT_WR)}. The params went out before this adapter was made.
 */
final class FastCgiBackend extends ConnectionCgiBackend {
    /** The request id lighttpd always uses. */
    static final int REQUEST_ID = 1;
    /** A STDERR line longer than this is logged in pieces. */
    private static final int MAX_STDERR_LINE = 4096;

    private final ErrorLog log;
    private final String logSource;
    private final ByteBufAllocator alloc;
    private final FastCgiDecoder decoder;
    private final StringBuilder stderrLine = new StringBuilder();
    private Listener listener;
    private ByteBuf cumulation;
    private boolean stdinEnded;
    /** END_REQUEST arrived (or the stream failed): nothing more is delivered but onClosed. */
    private boolean outputEnded;
    private long stdoutBytes;

    FastCgiBackend(BackendConnection connection, ErrorLog log, String logSource, ByteBufAllocator alloc) {
        super(connection, "FastCGI");
        this.log = log;
        this.logSource = logSource;
        this.alloc = alloc;
        this.decoder = new FastCgiDecoder(alloc);
    }

    @Override
    public void endRequestBody() {
        if (!stdinEnded) {
            stdinEnded = true;
            connection.write(FastCgiEncoder.endOfStream(alloc, FastCgi.STDIN, REQUEST_ID));
            connection.flush();
        }
    }

    @Override
    public void write(ByteBuf data) {
        if (!data.isReadable()) {
            data.release();
            return;
        }
        connection.write(FastCgiEncoder.stream(alloc, FastCgi.STDIN, REQUEST_ID, data));
    }

    /** Bytes of FCGI_STDOUT content so far (what the client may get). */
    long stdoutBytes() { return stdoutBytes; }

    @Override
    public void listen(Listener l) {
        this.listener = l;
        connection.listen(new Records());
    }

    /** The connection's events, unframed. */
    private final class Records implements Listener {
        @Override
        public void onData(ByteBuf data) {
            if (outputEnded) {
                data.release();
                return;
            }
            cumulation = Cumulation.append(cumulation, data);
            decoder.decode(cumulation, FastCgiBackend.this::event);
            if (cumulation != null && !cumulation.isReadable()) {
                cumulation.release();
                cumulation = null;
            }
        }

        @Override
        public void onReadComplete() {
            if (!outputEnded) {
                listener.onReadComplete();
            }
        }

        @Override
        public void onEndOfInput() {
            if (outputEnded) {
                return;
            }
            outputEnded = true;
            flushStderr();
            releaseInput();
            // EOF without END_REQUEST ends the output as well (lighttpd treats both alike)
            listener.onEndOfInput();
        }

        @Override
        public void onWritabilityChanged(boolean writable) {
            listener.onWritabilityChanged(writable);
        }

        @Override
        public void onFailed(Throwable cause) {
            if (!outputEnded) {
                outputEnded = true;
                flushStderr();
                listener.onFailed(cause);
            }
        }

        @Override
        public void onClosed() {
            flushStderr();
            releaseInput();
            listener.onClosed();
        }
    }

    private void event(FastCgiEvent e) {
        if (outputEnded) {
            e.release();
            return;
        }
        switch (e) {
            case FastCgiEvent.Stdout out when out.id() == REQUEST_ID -> {
                stdoutBytes += out.data().readableBytes();
                listener.onData(out.data());
            }
            case FastCgiEvent.Stderr err when err.id() == REQUEST_ID -> {
                stderr(err.data());
                err.release();
            }
            case FastCgiEvent.EndRequest end when end.id() == REQUEST_ID -> {
                outputEnded = true;
                flushStderr();
                if (end.protocolStatus() != FastCgi.REQUEST_COMPLETE) {
                    log.write(logSource, "FastCGI backend " + connection.host().address() + " ended the request with "
                            + "protocol status " + end.protocolStatus() + " (app status " + end.appStatus() + ")");
                }
                listener.onEndOfInput();
                // one request per connection (no keep-conn): the output is complete, the socket goes
                connection.close();
            }
            case FastCgiEvent.Malformed bad -> {
                outputEnded = true;
                flushStderr();
                listener.onFailed(new IOException(bad.why() + " from " + connection.host().address()));
                connection.closeAbnormally();
            }
            default -> {
                log.write(logSource, "FastCGI backend " + connection.host().address() + " sent an unexpected "
                        + describe(e) + ": ignored");
                e.release();
            }
        }
    }

    private static String describe(FastCgiEvent e) {
        return switch (e) {
            case FastCgiEvent.OtherRecord o -> "record of type " + o.type() + " (request id " + o.id() + ")";
            default -> e.getClass().getSimpleName() + " record";
        };
    }

    /** Logs complete STDERR lines, keeps the rest for the next record. */
    private void stderr(ByteBuf data) {
        while (data.isReadable()) {
            byte b = data.readByte();
            if (b == '\n') {
                logStderrLine();
            } else if (b != '\r') {
                stderrLine.append((char) (b & 0xFF));
                if (stderrLine.length() >= MAX_STDERR_LINE) {
                    logStderrLine();
                }
            }
        }
    }

    private void flushStderr() {
        if (!stderrLine.isEmpty()) {
            logStderrLine();
        }
    }

    private void logStderrLine() {
        String text = new String(stderrLine.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        stderrLine.setLength(0);
        log.write(logSource, "FastCGI-stderr " + connection.host().address() + ": "
                + HttpText.printable(text, MAX_STDERR_LINE));
    }

    private void releaseInput() {
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
        decoder.release();
    }
}
