package io.lightgate.gateway.cgi;

import io.lightgate.os.EventLoops;
import io.lightgate.os.ErrnoException;
import io.lightgate.os.ExitStatus;
import io.lightgate.os.Pipe;
import io.lightgate.os.Posix;
import io.lightgate.os.Spawn;
import io.lightgate.os.SpawnedProcess;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.IoEventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A running CGI program as lighttpd's mod_cgi starts one: posix_spawn with two fresh pipe2(O_CLOEXEC) pipes on
 * its stdin and stdout (the parent's ends become a {@link PipeStream}), stderr on a given descriptor or
 * inherited, cwd the script's directory, exactly the given environment, its own process group. The child is
 * reaped through its pidfd on the same epoll loop ({@link #exit()}). {@link #terminate()} sends SIGTERM (as
 * lighttpd does when the client goes away) and SIGKILL to its process group if it is still there after the
 * grace period.
 */
public final class CgiProcess {
    /** How long {@link #terminate()} waits after SIGTERM before SIGKILL. */
    public static final Duration DEFAULT_KILL_GRACE = Duration.ofSeconds(5);
    /** As {@link Command#stderrFd()}: a third pipe, read as {@link #stderr()} (fcgi-cgi's FCGI_STDERR). */
    public static final int CAPTURE_STDERR = -2;

    /**
     * What to run.
     *
     * @param program  the executable (the script, or its interpreter from cgi.assign)
     * @param argv     argv[0] first: {@code [script]} or {@code [interpreter, script]}
     * @param env      the complete environment, in order
     * @param cwd      the working directory (the script's directory), or null to keep ours
     * @param stderrFd the child's fd 2 (server.breakagelog's descriptor, >= 3), {@link Spawn#INHERIT} or
     *                 {@link #CAPTURE_STDERR}
     */
    public record Command(Path program, List<String> argv, Map<String, String> env, Path cwd, int stderrFd) {
        public Command {
            argv = List.copyOf(argv);
            env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
        }

        /** The environment as CgiEnvironment builds it; a repeated name keeps its first place and last value. */
        public static Command of(Path program, List<String> argv, List<CgiVariable> env, Path cwd, int stderrFd) {
            Map<String, String> map = new LinkedHashMap<>();
            env.forEach(variable -> map.put(variable.name(), variable.value()));
            return new Command(program, argv, map, cwd, stderrFd);
        }
    }

    /**
     * cgi.limits: read-timeout and write-timeout in seconds (0 = off, see {@link PipeStream}) and the SIGTERM to
     * SIGKILL grace of {@link #terminate()}.
     */
    public record Limits(int readTimeoutSeconds, int writeTimeoutSeconds, Duration killGrace) {
        public static final Limits NONE = new Limits(0, 0, DEFAULT_KILL_GRACE);

        public Limits {
            if (readTimeoutSeconds < 0 || writeTimeoutSeconds < 0 || killGrace.isNegative()) {
                throw new IllegalArgumentException("limits must not be negative");
            }
        }
    }

    private final IoEventLoop loop;
    private final SpawnedProcess process;
    private final PipeStream stream;
    private final PipeStream stderr;
    private final Future<ExitStatus> exit;
    private final Duration killGrace;
    private boolean terminating;
    private ScheduledFuture<?> killTimer;

    private CgiProcess(IoEventLoop loop, SpawnedProcess process, PipeStream stream, PipeStream stderr,
                       Future<ExitStatus> exit, Duration killGrace) {
        this.loop = loop;
        this.process = process;
        this.stream = stream;
        this.stderr = stderr;
        this.exit = exit;
        this.killGrace = killGrace;
    }

    /**
     * Starts the program; {@code loop} must be an epoll loop (the connection's, so the pipes and the reaping
     * run where the exchange runs). Spawning blocks briefly (glibc's posix_spawn waits for the exec), as
     * lighttpd's fork+exec does on its event loop.
     */
    public static CgiProcess start(IoEventLoop loop, ByteBufAllocator alloc, Command command, Limits limits)
            throws CgiSpawnException {
        if (!EventLoops.isEpoll(loop)) {
            throw new IllegalArgumentException("CGI pipes need an epoll event loop, not " + loop);
        }
        boolean capture = command.stderrFd() == CAPTURE_STDERR;
        Pipe stdin = null;
        Pipe stdout = null;
        Pipe stderr = null;
        SpawnedProcess process;
        try {
            stdin = Pipe.open();
            stdout = Pipe.open();
            stderr = capture ? Pipe.open() : null;
            Spawn.Request request = new Spawn.Request(command.program(), command.argv(), command.env(),
                    stdin.readFd(), stdout.writeFd(), capture ? stderr.writeFd() : command.stderrFd(),
                    command.cwd());
            process = Spawn.spawn(request);
        } catch (ErrnoException e) {
            closeAll(e, stdin, stdout, stderr);
            throw new CgiSpawnException(command.program(), e);
        } catch (RuntimeException e) {
            closeAll(e, stdin, stdout, stderr);
            throw e;
        }
        // The child has its copies on 0, 1 (and 2); ours would keep its stdin open and hide its output's EOF.
        closeQuietly(stdin.readFd());
        closeQuietly(stdout.writeFd());
        if (capture) {
            closeQuietly(stderr.writeFd());
        }
        Future<ExitStatus> exit = process.watch(loop);
        PipeStream stream = null;
        try {
            stream = PipeStream.open(loop, alloc, stdin.writeFd(), stdout.readFd(), limits.readTimeoutSeconds(),
                    limits.writeTimeoutSeconds());
            PipeStream errors = capture ? PipeStream.openReadOnly(loop, alloc, stderr.readFd()) : null;
            return new CgiProcess(loop, process, stream, errors, exit, limits.killGrace());
        } catch (ErrnoException e) {
            killQuietly(process);
            if (stream != null) {
                PipeStream opened = stream;
                loop.execute(opened::close);
            }
            throw new CgiSpawnException(command.program(), e);
        }
    }

    private static void closeAll(Exception failure, Pipe... pipes) {
        for (Pipe pipe : pipes) {
            if (pipe != null) {
                for (int fd : new int[] {pipe.readFd(), pipe.writeFd()}) {
                    try {
                        Posix.close(fd);
                    } catch (ErrnoException e) {
                        failure.addSuppressed(e);
                    }
                }
            }
        }
    }

    private static void closeQuietly(int fd) {
        try {
            Posix.close(fd);
        } catch (ErrnoException ignored) {
            // Linux releases the descriptor even when close reports an error
        }
    }

    private static void killQuietly(SpawnedProcess process) {
        try {
            process.signalGroup(Posix.SIGKILL);
        } catch (ErrnoException ignored) {
            // already gone; the pidfd watch reaps it either way
        }
    }

    /** The program's stdin and stdout. */
    public PipeStream stream() {
        return stream;
    }

    /** The program's stderr when started with {@link #CAPTURE_STDERR}: read-only, closes at its end. */
    public java.util.Optional<PipeStream> stderr() {
        return java.util.Optional.ofNullable(stderr);
    }

    public int pid() {
        return process.pid();
    }

    /** Completes on the loop with how the program ended, once it has been reaped. */
    public Future<ExitStatus> exit() {
        return exit;
    }

    public IoEventLoop eventLoop() {
        return loop;
    }

    /**
     * Sends {@code signal} to the program (cgi.limits "tcp-fin-propagate"); false once it has been reaped.
     * Call on the loop: there the pid cannot have been reaped and reused in between.
     */
    public boolean signal(int signal) {
        try {
            return process.signal(signal);
        } catch (ErrnoException e) {
            return false;
        }
    }

    /**
     * SIGTERM now, then SIGKILL to its process group if it has not exited after the grace period. Idempotent;
     * nothing happens once it has exited. Any thread.
     */
    public void terminate() {
        if (!loop.inEventLoop()) {
            loop.execute(this::terminate);
            return;
        }
        if (terminating || exit.isDone()) {
            return;
        }
        terminating = true;
        signal(Posix.SIGTERM);
        killTimer = loop.schedule(this::kill, killGrace.toNanos(), TimeUnit.NANOSECONDS);
        exit.addListener(done -> killTimer.cancel(false));
    }

    private void kill() {
        if (!exit.isDone() && !process.isReaped()) {
            // the group: a shell script's children hold the pipes open too
            killQuietly(process);
        }
    }

    @Override
    public String toString() {
        return "CgiProcess[pid=" + process.pid() + ", " + process.program() + "]";
    }
}
