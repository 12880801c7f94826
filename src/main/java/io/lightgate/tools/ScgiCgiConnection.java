package io.lightgate.tools;

import io.lightgate.modules.scgi.HeadDecoding;
import io.lightgate.modules.scgi.ScgiHeadDecoder;
import io.lightgate.os.ExitStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * One SCGI connection of {@code lightgate scgi-cgi}: the netstring head gives the environment; every byte after
 * it goes to the program's stdin (not only CONTENT_LENGTH bytes: an upgraded request keeps streaming), and the
 * program's stdout goes back unchanged. When stdout ends the connection's output is shut down; the connection
 * closes once the client has finished too. The client's EOF before that is a tunnel's half-close after a 101
 * (stdin is closed), else the client gave up (the program is terminated).
 */
final class ScgiCgiConnection extends CgiBridge {
    private final ScgiHeadDecoder decoder = new ScgiHeadDecoder();
    private ByteBuf head;
    private boolean started;
    private boolean answered;
    private boolean clientEnded;
    private boolean outputEnded;

    ScgiCgiConnection(CgiHelperServer server) {
        super(server);
    }

    @Override
    void clientData(ByteBuf data) {
        if (started) {
            if (stream != null) {
                stream.write(data);
            } else {
                data.release();
            }
            return;
        }
        if (answered) {
            data.release();
            return;
        }
        head = head == null ? data : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), head, data);
        switch (decoder.decode(head)) {
            case HeadDecoding.NeedMore ignored -> { }
            case HeadDecoding.Malformed malformed -> {
                server.log("bad SCGI request: " + malformed.why());
                releaseHead();
                answerWithoutProgram(400);
            }
            case HeadDecoding.Decoded decoded -> {
                ByteBuf rest = head;
                head = null;
                started = true;
                if (startProgram(decoded.head().params()) && rest.isReadable()) {
                    stream.write(rest);
                    stream.flush();
                } else {
                    rest.release();
                }
            }
        }
    }

    private void releaseHead() {
        if (head != null) {
            head.release();
            head = null;
        }
    }

    @Override
    void clientEnded() {
        clientEnded = true;
        if (!started && !answered) {
            if (head != null && head.isReadable()) {
                server.log("connection closed before the SCGI head was complete");
            }
            releaseHead();
            ctx.close();
            return;
        }
        if (outputEnded || answered || stream == null) {
            ctx.close();
        } else {
            clientEndedWhileRunning();
        }
    }

    @Override
    void programOutput(ByteBuf data) {
        ctx.write(data, ctx.voidPromise());
    }

    @Override
    void programOutputEnded() {
        if (outputEnded) {
            return;
        }
        outputEnded = true;
        endOutput();
    }

    /** Flushes, then half-closes (the EOF ends the response for the client) or closes if it is done too. */
    private void endOutput() {
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
            if (clientEnded || !f.isSuccess() || !(ctx.channel() instanceof DuplexChannel duplex)) {
                ctx.close();
            } else {
                duplex.shutdownOutput();
            }
        });
    }

    @Override
    void programExited(ExitStatus status) {
        // SCGI has no place for the status; the response ended with stdout
    }

    @Override
    void answerWithoutProgram(int status) {
        answered = true;
        ctx.write(Unpooled.wrappedBuffer(errorResponse(status)), ctx.voidPromise());
        outputEnded = true;
        endOutput();
    }

    @Override
    void connectionClosedHook() {
        releaseHead();
    }
}
