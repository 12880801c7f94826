package io.lightgate.tools;

import io.lightgate.gateway.cgi.CgiProcess;
import io.lightgate.gateway.cgi.PipeStream;
import io.lightgate.http.ByteStream;
import io.lightgate.http.Cumulation;
import io.lightgate.modules.fastcgi.FastCgi;
import io.lightgate.modules.fastcgi.FastCgiDecoder;
import io.lightgate.modules.fastcgi.FastCgiEncoder;
import io.lightgate.modules.fastcgi.FastCgiEvent;
import io.lightgate.os.ExitStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DuplexChannel;

import java.util.SequencedMap;

/**
 * One FastCGI connection of {@code lightgate fcgi-cgi}, one request at a time (FCGI_MPXS_CONNS 0): RESPONDER
 * only (other roles get END_REQUEST FCGI_UNKNOWN_ROLE), PARAMS start the program, FCGI_STDIN feeds its stdin
 * (the empty record closes it; so does the client's half-close after a 101), its stdout and stderr go back as FCGI_STDOUT
 * and FCGI_STDERR records as they come; once both have ended and the program was reaped, the empty STDOUT
 * record and END_REQUEST (appStatus = exit code, 128 + signal when killed) follow, and the connection closes
 * unless FCGI_KEEP_CONN was set.
 */
final class FastCgiCgiConnection extends CgiBridge {
    private final FastCgiDecoder decoder;
    private ByteBuf input;
    private int requestId;
    private boolean keepConn;
    private boolean started;
    private boolean stdinEnded;
    private boolean stdoutEnded;
    private boolean stderrEnded;
    private boolean stderrSent;
    private ExitStatus exit;
    private boolean clientEnded;
    private boolean closing;

    FastCgiCgiConnection(CgiHelperServer server) {
        super(server);
        this.decoder = new FastCgiDecoder(io.netty.buffer.ByteBufAllocator.DEFAULT);
    }

    @Override
    int stderrMode() {
        return CgiProcess.CAPTURE_STDERR;
    }

    @Override
    void clientData(ByteBuf data) {
        if (closing) {
            data.release();
            return;
        }
        // STDIN data goes to the pipe as slices of this buffer: it is never compacted in place while they may be
        // queued (Cumulation copies into a new buffer instead)
        input = Cumulation.append(input, data);
        decoder.decode(input, this::event);
        if (input != null && !input.isReadable()) {
            input.release();
            input = null;
        }
    }

    private void event(FastCgiEvent event) {
        try {
            switch (event) {
                case FastCgiEvent.BeginRequest begin -> begin(begin);
                case FastCgiEvent.Params params when params.id() == requestId && !started -> start(params.params());
                case FastCgiEvent.Stdin stdin when stdin.id() == requestId && stream != null && !stdinEnded ->
                        stream.write(stdin.data().retain());
                case FastCgiEvent.StdinEnd end when end.id() == requestId -> {
                    stdinEnded = true;
                    if (stream != null) {
                        stream.endRequestBody();
                    }
                }
                case FastCgiEvent.AbortRequest abort when abort.id() == requestId && process != null ->
                        process.terminate(); // END_REQUEST follows once it has gone
                case FastCgiEvent.GetValues get -> ctx.write(FastCgiEncoder.getValuesResult(ctx.alloc(),
                        values(get)), ctx.voidPromise());
                case FastCgiEvent.OtherRecord other when other.id() == FastCgi.NULL_REQUEST_ID
                        && other.type() != FastCgi.GET_VALUES_RESULT && other.type() != FastCgi.UNKNOWN_TYPE ->
                        ctx.write(FastCgiEncoder.unknownType(ctx.alloc(), other.type()), ctx.voidPromise());
                case FastCgiEvent.Malformed malformed -> {
                    server.log("bad FastCGI input: " + malformed.why());
                    closeNow();
                }
                default -> { } // records of other requests or of the other side: nothing to do
            }
        } finally {
            event.release();
        }
    }

    private SequencedMap<String, String> values(FastCgiEvent.GetValues get) {
        SequencedMap<String, String> values = new java.util.LinkedHashMap<>();
        String max = String.valueOf(server.options().maxRequests());
        for (String name : get.names()) {
            switch (name) {
                case FastCgi.MAX_CONNS, FastCgi.MAX_REQS -> values.put(name, max);
                case FastCgi.MPXS_CONNS -> values.put(name, "0");
                default -> { }
            }
        }
        return values;
    }

    private void begin(FastCgiEvent.BeginRequest begin) {
        if (requestId != 0) {
            ctx.write(FastCgiEncoder.endRequest(ctx.alloc(), begin.id(), 0, FastCgi.CANT_MPX_CONN), ctx.voidPromise());
            return;
        }
        if (begin.role() != FastCgi.RESPONDER) {
            server.log("request " + begin.id() + " has role " + begin.role() + "; only RESPONDER is served");
            ctx.write(FastCgiEncoder.endRequest(ctx.alloc(), begin.id(), 0, FastCgi.UNKNOWN_ROLE), ctx.voidPromise());
            if (!begin.keepConn()) {
                closeAfterFlush();
            }
            return;
        }
        requestId = begin.id();
        keepConn = begin.keepConn();
        started = false;
        stdinEnded = false;
        stdoutEnded = false;
        stderrEnded = false;
        stderrSent = false;
        exit = null;
    }

    private void start(SequencedMap<String, String> params) {
        started = true;
        if (!startProgram(params)) {
            return;
        }
        process.stderr().ifPresentOrElse(errors -> errors.listen(new StderrListener(errors)),
                () -> stderrEnded = true);
        if (stdinEnded || clientEnded) {
            stream.endRequestBody();
        }
    }

    @Override
    void clientEnded() {
        clientEnded = true;
        if (stream != null && process != null && !stdoutEnded) {
            clientEndedWhileRunning(); // a tunnel's half-close (no empty STDIN then), or the client gave up
        } else if (requestId == 0 || !started || closing) {
            closeNow();
        }
    }

    @Override
    void programOutput(ByteBuf data) {
        if (closing) {
            data.release();
            return;
        }
        ctx.write(FastCgiEncoder.stream(ctx.alloc(), FastCgi.STDOUT, requestId, data), ctx.voidPromise());
    }

    @Override
    void programOutputEnded() {
        stdoutEnded = true;
        endRequestIfDone();
    }

    @Override
    void programExited(ExitStatus status) {
        exit = status;
        endRequestIfDone();
    }

    private void endRequestIfDone() {
        if (closing || requestId == 0 || !stdoutEnded || !stderrEnded || exit == null) {
            return;
        }
        int appStatus = switch (exit) {
            case ExitStatus.Exited exited -> exited.code();
            case ExitStatus.Signaled signaled -> 128 + signaled.signal();
        };
        endRequest(appStatus);
    }

    private void endRequest(int appStatus) {
        if (stderrSent) {
            ctx.write(FastCgiEncoder.endOfStream(ctx.alloc(), FastCgi.STDERR, requestId), ctx.voidPromise());
        }
        ctx.write(FastCgiEncoder.endOfStream(ctx.alloc(), FastCgi.STDOUT, requestId), ctx.voidPromise());
        ctx.write(FastCgiEncoder.endRequest(ctx.alloc(), requestId, appStatus, FastCgi.REQUEST_COMPLETE),
                ctx.voidPromise());
        requestId = 0;
        if (keepConn && !clientEnded) {
            ctx.flush();
            forgetProgram();
        } else {
            closeAfterFlush();
        }
    }

    @Override
    void answerWithoutProgram(int status) {
        ctx.write(FastCgiEncoder.stream(ctx.alloc(), FastCgi.STDOUT, requestId,
                Unpooled.wrappedBuffer(errorResponse(status))), ctx.voidPromise());
        endRequest(0);
    }

    /**
     * Ends our side after what is queued; the connection closes at the client's EOF (closing with its unread
     * bytes, such as an empty STDIN record after an early answer, would reset the connection and lose ours).
     */
    private void closeAfterFlush() {
        closing = true;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
            if (clientEnded || !f.isSuccess() || !(ctx.channel() instanceof DuplexChannel duplex)) {
                ctx.close();
            } else {
                duplex.shutdownOutput();
            }
        });
    }

    private void closeNow() {
        closing = true;
        ctx.close();
    }

    @Override
    void connectionClosedHook() {
        decoder.release();
        if (input != null) {
            input.release();
            input = null;
        }
    }

    /** The program's stderr as FCGI_STDERR records, for the current request. */
    private final class StderrListener implements ByteStream.Listener {
        private final PipeStream errors;
        private final int id;

        StderrListener(PipeStream errors) {
            this.errors = errors;
            this.id = requestId;
        }

        @Override
        public void onData(ByteBuf data) {
            if (closing || connectionClosed()) {
                data.release();
                return;
            }
            stderrSent = true;
            ctx.write(FastCgiEncoder.stream(ctx.alloc(), FastCgi.STDERR, id, data), ctx.voidPromise());
        }

        @Override
        public void onReadComplete() {
            ctx.flush();
        }

        @Override
        public void onEndOfInput() {
            stderrEnded = true;
            endRequestIfDone();
        }

        @Override
        public void onWritabilityChanged(boolean writable) { }

        @Override
        public void onClosed() {
            stderrEnded = true;
            endRequestIfDone();
        }

        @Override
        public String toString() {
            return "stderr of request " + id + " " + errors;
        }
    }
}
