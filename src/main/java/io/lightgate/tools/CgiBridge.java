package io.lightgate.tools;

import io.lightgate.gateway.cgi.CgiProcess;
import io.lightgate.gateway.cgi.CgiSpawnException;
import io.lightgate.gateway.cgi.PipeStream;
import io.lightgate.http.ByteStream;
import io.lightgate.http.HttpStatus;
import io.lightgate.os.ExitStatus;
import io.lightgate.os.Spawn;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.IoEventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.concurrent.RejectedExecutionException;

/**
 * One connection of scgi-cgi / fcgi-cgi: runs the request's {@code SCRIPT_FILENAME} as a CGI program (argv =
 * [SCRIPT_FILENAME], cwd = its directory, env = exactly the request's params) and bridges the connection to its
 * pipes with back-pressure both ways. Subclasses frame the bytes (SCGI: raw; FastCGI: records). When the client
 * goes away first the program gets SIGTERM (SIGKILL after the grace). Everything runs on the connection's loop.
 */
abstract class CgiBridge extends ChannelInboundHandlerAdapter implements ByteStream.Listener {
    protected final CgiHelperServer server;
    protected ChannelHandlerContext ctx;
    protected CgiProcess process;
    protected PipeStream stream;
    private UpgradeWatch upgradeWatch;
    private boolean connectionClosed;
    private boolean released;

    CgiBridge(CgiHelperServer server) {
        this.server = server;
    }

    /** Bytes from the client (the listener owns them). */
    abstract void clientData(ByteBuf data);

    /** The client half-closed its side. */
    abstract void clientEnded();

    /** A chunk of the program's stdout (owned). */
    abstract void programOutput(ByteBuf data);

    /** The program's stdout ended (or broke); may be called more than once. */
    abstract void programOutputEnded();

    /** The program was reaped. */
    abstract void programExited(ExitStatus status);

    /** Answers the request with a CGI error response instead of a program's, then ends the request. */
    abstract void answerWithoutProgram(int status);

    /** What the program's stderr is: inherited (our stderr, lighttpd's error log) or captured. */
    int stderrMode() {
        return Spawn.INHERIT;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    // ---- starting the program -------------------------------------------------------------------------------

    /** Starts SCRIPT_FILENAME; false (with the error answered and logged) when that is not possible. */
    final boolean startProgram(SequencedMap<String, String> params) {
        String scriptParam = params.get("SCRIPT_FILENAME");
        if (scriptParam == null || scriptParam.isEmpty()) {
            server.log("request without SCRIPT_FILENAME");
            answerWithoutProgram(500);
            return false;
        }
        String script = fromBytes(scriptParam);
        Path path;
        try {
            path = Path.of(script);
        } catch (java.nio.file.InvalidPathException e) {
            server.log("bad SCRIPT_FILENAME " + printable(script) + ": " + e.getMessage());
            answerWithoutProgram(500);
            return false;
        }
        if (!Files.exists(path)) {
            server.log("SCRIPT_FILENAME " + printable(script) + " not found");
            answerWithoutProgram(404);
            return false;
        }
        if (!Files.isRegularFile(path)) {
            server.log("SCRIPT_FILENAME " + printable(script) + " is not a regular file");
            answerWithoutProgram(403);
            return false;
        }
        Map<String, String> env = new LinkedHashMap<>();
        params.forEach((name, value) -> env.put(fromBytes(name), fromBytes(value)));
        CgiProcess.Command command = new CgiProcess.Command(path, List.of(script), env, path.getParent(),
                stderrMode());
        try {
            process = CgiProcess.start((IoEventLoop) ctx.channel().eventLoop(), ctx.alloc(), command,
                    new CgiProcess.Limits(0, 0, server.options().killGrace()));
        } catch (CgiSpawnException e) {
            server.log(e.getMessage());
            answerWithoutProgram(e.notFound() ? 404 : e.permissionDenied() ? 403 : 500);
            return false;
        } catch (IllegalArgumentException e) {
            // a NUL in a name or value, or a name with '='
            server.log("cannot start " + printable(script) + ": " + e.getMessage());
            answerWithoutProgram(500);
            return false;
        }
        stream = process.stream();
        upgradeWatch = new UpgradeWatch(ctx.alloc());
        stream.listen(this);
        process.exit().addListener(done -> {
            if (done.isSuccess()) {
                programExited((ExitStatus) done.getNow());
            } else {
                server.log("lost track of " + process + ": " + done.cause());
                programExited(new ExitStatus.Exited(255));
            }
            releaseIfDone();
        });
        if (!ctx.channel().isWritable()) {
            stream.setReadable(false);
        }
        return true;
    }

    /** Params are byte strings (one char per byte); programs get the bytes, read as UTF-8 by Spawn. */
    private static String fromBytes(String byteString) {
        return new String(byteString.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    static String printable(String s) {
        return io.lightgate.http.HttpText.printable(s, 200);
    }

    /** The body of an error answer: "Status: 404 Not Found" and a short text, as a CGI response. */
    static byte[] errorResponse(int status) {
        String reason = HttpStatus.reason(status);
        return ("Status: " + status + " " + reason + "\r\nContent-Type: text/plain\r\n\r\n" + status + " " + reason
                + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** SIGTERM now (a graceful shutdown's grace is over); SIGKILL follows after the kill grace. */
    final void terminateProgram() {
        try {
            ctx.channel().eventLoop().execute(() -> {
                if (process != null) {
                    process.terminate();
                }
            });
        } catch (RejectedExecutionException e) {
            // the bridge's loop has stopped, which it does only once its last request ended; a program still
            // running then was killed and reaped by the loop's PidfdWatch
        }
    }

    /** Closes the connection (the end of a graceful shutdown); the program, if any, is terminated. */
    final void closeConnection() {
        ctx.close();
    }

    // ---- the connection -------------------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf data) {
            clientData(data);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (stream != null) {
            stream.flush();
        }
        ctx.flush();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            clientEnded();
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (stream != null) {
            stream.setReadable(ctx.channel().isWritable());
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) {
            server.log("connection failed: " + cause);
        }
        // an I/O error means the client is gone: channelInactive does the rest
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connectionLost();
    }

    /** The connection is closed (by us after the answer, or by the client): stop the program if it runs. */
    final void connectionLost() {
        if (connectionClosed) {
            return;
        }
        connectionClosed = true;
        if (process != null && !process.exit().isDone()) {
            process.terminate();
        }
        if (stream != null) {
            stream.close();
        }
        if (upgradeWatch != null) {
            upgradeWatch.release();
        }
        connectionClosedHook();
        releaseIfDone();
    }

    /** Subclasses release what they hold (cumulations, decoders) when the connection goes. */
    void connectionClosedHook() { }

    final boolean connectionClosed() {
        return connectionClosed;
    }

    private void releaseIfDone() {
        if (!released && connectionClosed && (process == null || process.exit().isDone())) {
            released = true;
            server.released(this);
        }
    }

    /** For keep-conn: the request is over, the next one starts a new program. */
    final void forgetProgram() {
        process = null;
        stream = null;
        if (upgradeWatch != null) {
            upgradeWatch.release();
            upgradeWatch = null;
        }
    }

    // ---- the program's stdout -------------------------------------------------------------------------------

    @Override
    public void onData(ByteBuf data) {
        if (upgradeWatch != null) {
            upgradeWatch.output(data);
        }
        programOutput(data);
    }

    /** The program answered 101 with Upgrade: the client's EOF only closes the program's stdin. */
    final boolean upgraded() {
        return upgradeWatch != null && upgradeWatch.upgraded();
    }

    /**
     * The client's EOF while the program runs. After a 101 it is the tunnel's half-close: close the program's
     * stdin. Otherwise the gateway gave up on the request (lighttpd half-closes only tunnels): stop the program.
     */
    final void clientEndedWhileRunning() {
        if (upgraded()) {
            stream.shutdownOutput();
        } else {
            process.terminate();
            ctx.close();
        }
    }

    @Override
    public void onReadComplete() {
        ctx.flush();
    }

    @Override
    public void onEndOfInput() {
        programOutputEnded();
    }

    @Override
    public void onWritabilityChanged(boolean writable) {
        ctx.channel().config().setAutoRead(writable);
    }

    @Override
    public void onFailed(Throwable cause) {
        server.log("pipe to " + process + " failed: " + cause.getMessage());
    }

    @Override
    public void onClosed() {
        // closed without EOF only after a failure or when the connection went: end the output either way
        programOutputEnded();
    }
}
