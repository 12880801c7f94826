package io.lightgate.modules.cgi;

import io.lightgate.gateway.cgi.CgiBackend;
import io.lightgate.gateway.cgi.CgiProcess;
import io.lightgate.gateway.cgi.PipeStream;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;

/**
 * A running CGI program as the {@link CgiBackend} of its request: its pipes, plus what lighttpd does to the
 * process. Closing (answer done, client gone, failure) closes the pipes and terminates the program (SIGTERM, then
 * SIGKILL after a grace; nothing once it has exited). In a tunnel the client's half-close sends the
 * {@code tcp-fin-propagate} signal and closes the program's stdin.
 */
final class CgiProgram implements CgiBackend {
    private final CgiProcess process;
    private final PipeStream pipes;
    private final int finSignal;
    private boolean tunnel;
    /** The last signal we sent, so that the program's death by it is not reported as a crash. */
    private int signalSent;
    private long terminatedAtNanos;
    private final java.time.Duration killGrace;
    private static final int SIGTERM = 15;
    private static final int SIGKILL = 9;

    CgiProgram(CgiProcess process, int finSignal, java.time.Duration killGrace) {
        this.killGrace = killGrace;
        this.process = process;
        this.pipes = process.stream();
        this.finSignal = finSignal;
    }

    /**
     * Whether a death by {@code signal} was our doing: the signal we sent, SIGTERM after terminate, or the SIGKILL
     * that follows it once the grace has passed (a program that kills itself earlier is still reported).
     */
    boolean killedByUs(int signal) {
        if (signal == signalSent) {
            return true;
        }
        return terminatedAtNanos != 0 && (signal == SIGTERM
                || signal == SIGKILL && System.nanoTime() - terminatedAtNanos >= killGrace.toNanos());
    }

    @Override
    public void endRequestBody() {
        pipes.endRequestBody();
    }

    @Override
    public void tunnelStarted() {
        tunnel = true;
    }

    @Override
    public void shutdownOutput() {
        if (tunnel && finSignal > 0 && !process.exit().isDone()) {
            signalSent = finSignal;
            process.signal(finSignal);
        }
        pipes.shutdownOutput();
    }

    @Override
    public void close() {
        pipes.close();
        terminate();
    }

    @Override
    public void closeAbnormally() {
        pipes.closeAbnormally();
        terminate();
    }

    private void terminate() {
        if (!process.exit().isDone()) {
            terminatedAtNanos = System.nanoTime() | 1;
            process.terminate();
        }
    }

    @Override public long bytesIn() { return pipes.bytesIn(); }
    @Override public long bytesOut() { return pipes.bytesOut(); }
    @Override public EventLoop eventLoop() { return pipes.eventLoop(); }
    @Override public void listen(Listener listener) { pipes.listen(listener); }
    @Override public void write(ByteBuf data) { pipes.write(data); }
    @Override public void flush() { pipes.flush(); }
    @Override public boolean isWritable() { return pipes.isWritable(); }
    @Override public void setReadable(boolean readable) { pipes.setReadable(readable); }
}
