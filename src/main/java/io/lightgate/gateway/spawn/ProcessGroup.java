package io.lightgate.gateway.spawn;

import io.lightgate.log.ErrorLog;
import io.lightgate.os.ExitStatus;
import io.lightgate.os.SpawnedProcess;
import io.netty.channel.IoEventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The spawned procs of one bin-path host, supervised as lighttpd's gw_backend does: each proc gets a listening
 * socket as fd 0 (or is left alone when something already listens on its address), is reaped through its pidfd
 * on one event loop, restarted with back-off when it dies (see {@link SupervisionTimings}) and stopped with
 * kill-signal and escalation. {@link #start} blocks and must be called off the event loops; everything else
 * happens on {@code loop}.
 */
public final class ProcessGroup {
    enum Phase { NEW, STARTING, RUNNING, STOPPING, STOPPED }

    private final List<SupervisedProc> procs;
    private final IoEventLoop loop;
    private final ErrorLog log;
    private final SupervisionTimings timings;
    private final List<ProcListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.NEW);
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private final Promise<Void> stopped;

    /**
     * @param procs one spec per proc, proc i at index i (see {@link SpawnSpec#procAddress})
     * @param loop  an epoll event loop (pidfds are watched there); the gateway's own worker loop is fine
     */
    public ProcessGroup(List<SpawnSpec> procs, IoEventLoop loop, ErrorLog log, SupervisionTimings timings) {
        if (procs.isEmpty()) {
            throw new IllegalArgumentException("a process group needs at least one proc");
        }
        this.loop = loop;
        this.log = log;
        this.timings = timings;
        this.stopped = loop.newPromise();
        Map<String, String> ours = System.getenv();
        List<SupervisedProc> built = new ArrayList<>(procs.size());
        for (int i = 0; i < procs.size(); i++) {
            SpawnSpec spec = procs.get(i);
            built.add(new SupervisedProc(i, spec, this,
                    ChildEnvironment.build(ours, spec.binCopyEnvironment(), spec.binEnvironment())));
        }
        this.procs = List.copyOf(built);
    }

    /**
     * Starts every proc (probe, bind, spawn) and watches the new children for
     * {@link SupervisionTimings#startupCheck}: if one exits, or a socket or spawn fails, everything started is
     * stopped again and a {@link SpawnException} says why ("spawning &lt;bin-path&gt; failed: exited with status
     * N"). Blocks; only once.
     */
    public void start() throws SpawnException {
        if (loop.inEventLoop()) {
            throw new IllegalStateException("start() blocks; call it off the event loop");
        }
        if (!phase.compareAndSet(Phase.NEW, Phase.STARTING)) {
            throw new IllegalStateException("process group already " + phase.get().name().toLowerCase());
        }
        String failure;
        Throwable cause = null;
        try {
            requireExecutables();
            boolean spawnedAny = false;
            for (SupervisedProc proc : procs) {
                spawnedAny |= proc.launch();
            }
            if (spawnedAny) {
                Thread.sleep(timings.startupCheck());
            }
            failure = loop.submit(this::leaveStartup).get();
        } catch (SpawnException e) {
            failure = e.getMessage();
        } catch (ExecutionException e) {
            failure = "starting " + procs.getFirst().spec().binPath() + " failed: " + e.getCause();
            cause = e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "starting " + procs.getFirst().spec().binPath() + " was interrupted";
            cause = e;
        } catch (Exception e) {
            failure = "spawning " + procs.getFirst().spec().binPath() + " failed: " + e.getMessage();
            cause = e;
        }
        if (failure != null) {
            stop().awaitUninterruptibly();
            throw new SpawnException(failure, cause);
        }
    }

    private void requireExecutables() throws SpawnException {
        for (SupervisedProc proc : procs) {
            Path program = proc.spec().program();
            if (!Files.isRegularFile(program) || !Files.isExecutable(program)) {
                throw new SpawnException("spawning " + proc.spec().binPath() + " failed: " + program
                        + " is not an executable regular file");
            }
        }
    }

    /** On the loop: a child that already died fails start-up; otherwise the group runs from now on. */
    private String leaveStartup() {
        for (SupervisedProc proc : procs) {
            if (proc.state() == SupervisedProc.State.DIED_AT_START) {
                return "spawning " + proc.spec().binPath() + " failed: " + describe(proc.deathAtStart());
            }
        }
        if (!phase.compareAndSet(Phase.STARTING, Phase.RUNNING)) {
            return "process group for " + procs.getFirst().spec().binPath() + " was stopped while starting";
        }
        return null;
    }

    /**
     * Stops every proc: kill-signal to each child's process group, escalated per {@link SupervisionTimings}, and
     * unlinks the unix socket files we created. The future completes on the loop once every child is reaped.
     * Idempotent; no restarts happen after it.
     */
    public Future<Void> stop() {
        if (stopRequested.compareAndSet(false, true)) {
            try {
                loop.execute(this::stopOnLoop);
            } catch (RejectedExecutionException e) {
                stopped.tryFailure(e);
            }
        }
        return stopped;
    }

    private void stopOnLoop() {
        phase.set(Phase.STOPPING);
        int[] remaining = {procs.size()};
        for (SupervisedProc proc : procs) {
            proc.stop().addListener(done -> {
                if (--remaining[0] == 0) {
                    phase.set(Phase.STOPPED);
                    stopped.trySuccess(null);
                }
            });
        }
    }

    /** Whether proc {@code proc} is expected to accept connections: our child runs, or an external one listens. */
    public boolean isUp(int proc) {
        return procs.get(proc).isUp();
    }

    /** The pid of proc {@code proc}'s running child; empty while it is down or when the backend is external. */
    public OptionalInt pid(int proc) {
        SpawnedProcess child = procs.get(proc).child();
        return child == null ? OptionalInt.empty() : OptionalInt.of(child.pid());
    }

    /** Whether proc {@code proc}'s address was already served by someone else, so nothing was spawned for it. */
    public boolean isExternal(int proc) {
        return procs.get(proc).state() == SupervisedProc.State.EXTERNAL;
    }

    public SocketAddress address(int proc) {
        return procs.get(proc).spec().address();
    }

    public int size() {
        return procs.size();
    }

    public IoEventLoop loop() {
        return loop;
    }

    public void addListener(ProcListener listener) {
        listeners.add(listener);
    }

    public void removeListener(ProcListener listener) {
        listeners.remove(listener);
    }

    SupervisionTimings timings() {
        return timings;
    }

    ErrorLog log() {
        return log;
    }

    Phase phase() {
        return phase.get();
    }

    void fireUp(int proc) {
        for (ProcListener listener : listeners) {
            try {
                listener.procUp(proc);
            } catch (RuntimeException e) {
                log.write("gw-spawn", "proc listener failed: " + e);
            }
        }
    }

    void fireDown(int proc, ExitStatus status) {
        for (ProcListener listener : listeners) {
            try {
                listener.procDown(proc, status);
            } catch (RuntimeException e) {
                log.write("gw-spawn", "proc listener failed: " + e);
            }
        }
    }

    /** "exited with status N" or "killed by signal N". */
    static String describe(ExitStatus status) {
        return switch (status) {
            case ExitStatus.Exited exited -> "exited with status " + exited.code();
            case ExitStatus.Signaled signaled -> "killed by signal " + signaled.signal()
                    + (signaled.coreDumped() ? " (core dumped)" : "");
        };
    }

    @Override
    public String toString() {
        return "ProcessGroup[" + procs.getFirst().spec().binPath() + ", " + procs.size() + " procs, " + phase.get()
                + "]";
    }
}
