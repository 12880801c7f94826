package io.lightgate.gateway.spawn;

import io.lightgate.os.ErrnoException;
import io.lightgate.os.ExitStatus;
import io.lightgate.os.ListeningSocket;
import io.lightgate.os.Posix;
import io.lightgate.os.Sockets;
import io.lightgate.os.Spawn;
import io.lightgate.os.SpawnedProcess;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One proc of a {@link ProcessGroup}: its child, restarts with back-off, and the stop escalation. Every method
 * runs on the group's event loop, except the first {@link #launch} which {@link ProcessGroup#start} calls before
 * the child is watched (the loop sees the fields through the watch registration's task hand-off).
 */
final class SupervisedProc {
    enum State {
        NOT_STARTED,
        /** Our child runs and listens. */
        RUNNING,
        /** Something else listened on the address when we were about to spawn: used as is, not supervised. */
        EXTERNAL,
        /** The child died while the group was still starting: start-up fails. */
        DIED_AT_START,
        WAITING_TO_RESTART,
        STOPPING,
        STOPPED
    }

    private static final String LOG_SOURCE = "gw-spawn";

    private final int index;
    private final SpawnSpec spec;
    private final ProcessGroup group;
    private final Map<String, String> environment;
    private final RestartBackoff backoff;

    private volatile State state = State.NOT_STARTED;
    private volatile SpawnedProcess child;
    private long startedNanos;
    /** We bound the unix socket file, so it is ours to unlink at stop. */
    private boolean ownsSocketFile;
    private ExitStatus deathAtStart;
    private ScheduledFuture<?> restartTimer;
    private final List<ScheduledFuture<?>> escalations = new ArrayList<>(3);
    private Promise<Void> stopped;

    SupervisedProc(int index, SpawnSpec spec, ProcessGroup group, Map<String, String> environment) {
        this.index = index;
        this.spec = spec;
        this.group = group;
        this.environment = environment;
        this.backoff = new RestartBackoff(group.timings());
    }

    State state() {
        return state;
    }

    boolean isUp() {
        State now = state;
        return now == State.RUNNING || now == State.EXTERNAL;
    }

    SpawnedProcess child() {
        return child;
    }

    SpawnSpec spec() {
        return spec;
    }

    ExitStatus deathAtStart() {
        return deathAtStart;
    }

    /**
     * What lighttpd does per proc: connect first and leave a running backend alone; otherwise bind a fresh
     * listening socket (replacing a stale unix socket file) and spawn the program with it as fd 0. Blocks briefly
     * (a connect to a local address, bind, posix_spawn), as lighttpd does on its own loop. True when a child was
     * spawned, false when an external backend was found.
     */
    boolean launch() throws IOException {
        if (Sockets.probe(spec.address()) == Sockets.Probe.LISTENING) {
            ownsSocketFile = false;
            child = null;
            state = State.EXTERNAL;
            return false;
        }
        SpawnedProcess spawned;
        ListeningSocket socket = ListeningSocket.open(spec.address(), spec.listenBacklog());
        ownsSocketFile = spec.address() instanceof UnixDomainSocketAddress;
        try {
            // Absolute: posix_spawn resolves a relative program after the chdir to its own directory.
            spawned = Spawn.spawn(Spawn.Request.of(spec.program().toAbsolutePath(), spec.argv(), environment,
                    socket.fd()).withCwd(workingDirectory()));
        } finally {
            // The child holds its own copy as fd 0; a respawn binds a new socket, so the parent keeps none.
            closeParentCopy(socket);
        }
        child = spawned;
        startedNanos = System.nanoTime();
        state = State.RUNNING;
        spawned.watch(group.loop()).addListener(exit -> exited(spawned, exit));
        return true;
    }

    private Path workingDirectory() {
        Path parent = spec.program().toAbsolutePath().getParent();
        return parent == null ? Path.of("/") : parent;
    }

    private void closeParentCopy(ListeningSocket socket) {
        try {
            socket.close();
        } catch (ErrnoException e) {
            log("closing our copy of the listening socket for " + spec.shownAddress() + " failed: " + e.getMessage());
        }
    }

    private void exited(SpawnedProcess spawned, Future<? super ExitStatus> exit) {
        if (spawned != child) {
            return;
        }
        child = null;
        cancelEscalations();
        if (!exit.isSuccess()) {
            // Only when the loop shuts down under us: nobody can reap the child any more.
            log("lost track of " + describe(spawned) + ": " + exit.cause().getMessage());
            finishStop();
            return;
        }
        ExitStatus status = (ExitStatus) exit.getNow();
        if (state == State.STOPPING) {
            finishStop();
            return;
        }
        if (group.phase() == ProcessGroup.Phase.STARTING) {
            deathAtStart = status;
            state = State.DIED_AT_START;
            return;
        }
        Duration ranFor = Duration.ofNanos(System.nanoTime() - startedNanos);
        Duration delay = backoff.delayAfterDeath(ranFor);
        state = State.WAITING_TO_RESTART;
        log("child " + ProcessGroup.describe(status) + ": " + describe(spawned) + " after " + seconds(ranFor)
                + "; restarting " + (delay.isZero() ? "now" : "in " + seconds(delay)));
        group.fireDown(index, status);
        scheduleRestart(delay);
    }

    private void scheduleRestart(Duration delay) {
        restartTimer = group.loop().schedule(this::restart, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void restart() {
        restartTimer = null;
        if (state != State.WAITING_TO_RESTART || group.phase() != ProcessGroup.Phase.RUNNING) {
            return;
        }
        try {
            launch();
        } catch (IOException | RuntimeException e) {
            Duration delay = backoff.delayAfterDeath(Duration.ZERO);
            log("restarting " + spec.binPath() + " on " + spec.shownAddress() + " failed: " + e.getMessage()
                    + "; next attempt in " + seconds(delay));
            scheduleRestart(delay);
            return;
        }
        SpawnedProcess spawned = child;
        log(spawned == null
                ? "a backend already listens on " + spec.shownAddress() + "; using it instead of spawning "
                        + spec.binPath()
                : "restarted " + describe(spawned));
        group.fireUp(index);
    }

    /** Sends kill-signal to the child's process group and escalates until it is reaped; idempotent. */
    Future<Void> stop() {
        if (stopped != null) {
            return stopped;
        }
        stopped = group.loop().newPromise();
        if (restartTimer != null) {
            restartTimer.cancel(false);
            restartTimer = null;
        }
        SpawnedProcess running = child;
        state = State.STOPPING;
        if (running == null) {
            finishStop();
            return stopped;
        }
        signalGroup(running, spec.killSignal());
        SupervisionTimings timings = group.timings();
        escalate(running, timings.repeatKillSignalAfter(), spec.killSignal());
        escalate(running, timings.terminateAfter(), Posix.SIGTERM);
        escalate(running, timings.killAfter(), Posix.SIGKILL);
        return stopped;
    }

    private void escalate(SpawnedProcess running, Duration after, int signal) {
        escalations.add(group.loop().schedule(() -> {
            if (child == running) {
                log(describe(running) + " has not exited " + seconds(after) + " after kill-signal; sending signal "
                        + signal);
                signalGroup(running, signal);
            }
        }, after.toNanos(), TimeUnit.NANOSECONDS));
    }

    private void cancelEscalations() {
        escalations.forEach(timer -> timer.cancel(false));
        escalations.clear();
    }

    private void signalGroup(SpawnedProcess running, int signal) {
        try {
            running.signalGroup(signal);
        } catch (ErrnoException e) {
            if (!"ESRCH".equals(e.errnoName())) {
                log("signalling " + describe(running) + " failed: " + e.getMessage());
            }
        }
    }

    private void finishStop() {
        state = State.STOPPED;
        if (ownsSocketFile) {
            ownsSocketFile = false;
            Path path = ((UnixDomainSocketAddress) spec.address()).getPath();
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                log("removing socket file " + path + " failed: " + e.getMessage());
            }
        }
        if (stopped != null) {
            stopped.trySuccess(null);
        }
    }

    private String describe(SpawnedProcess process) {
        return spec.binPath() + " (pid " + process.pid() + ", proc " + index + " on " + spec.shownAddress() + ")";
    }

    private static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s"
                : String.format(java.util.Locale.ROOT, "%.3f s", duration.toMillis() / 1000.0);
    }

    private void log(String message) {
        group.log().write(LOG_SOURCE, message);
    }
}
