package io.lightgate.gateway.spawn;

import io.lightgate.os.EventLoops;
import io.lightgate.config.ConfigException;
import io.lightgate.gateway.BackendAddress;
import io.lightgate.gateway.HostConfig;
import io.lightgate.gateway.ProcLauncher;
import io.lightgate.gateway.ProcSet;
import io.lightgate.http.ModuleContext;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoEventLoopGroup;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The gateway's way to start bin-path hosts: one {@link ProcessGroup} per host, supervised on one of the
 * server's worker loops. Start-up blocks the configuring thread (never an event loop) until the children run or
 * one failed, which then fails start-up as lighttpd does ("spawning ... failed").
 */
public final class SpawningLauncher implements ProcLauncher {
    /** Longest a stop waits for children: past lighttpd's SIGKILL step (17 s) plus reaping. */
    private static final long STOP_WAIT_SECONDS = 20;

    private final SupervisionTimings timings;

    public SpawningLauncher() {
        this(SupervisionTimings.DEFAULTS);
    }

    public SpawningLauncher(SupervisionTimings timings) {
        this.timings = timings;
    }

    @Override
    public ProcSet launch(HostConfig host, List<BackendAddress> addresses, ModuleContext context)
            throws ConfigException {
        IoEventLoopGroup loops = context.eventLoops();
        IoEventLoop loop = loops == null ? null : loops.next();
        if (loop == null || !EventLoops.isEpoll(loop)) {
            throw new ConfigException("bin-path " + String.join(" ", host.binPath())
                    + ": spawning backends needs Linux with the epoll transport; start the backend yourself and "
                    + "remove \"bin-path\"");
        }
        List<SpawnSpec> specs = new ArrayList<>(addresses.size());
        for (BackendAddress address : addresses) {
            specs.add(new SpawnSpec(Path.of(host.binPath().getFirst()), host.binPath(), host.binEnvironment(),
                    host.binCopyEnvironment(), socketAddress(address), host.listenBacklog(), host.killSignal()));
        }
        synchronized (RUNNING) {
            Shared shared = RUNNING.get(specs);
            if (shared == null) {
                ProcessGroup group = new ProcessGroup(specs, loop, context.errorLog(), timings);
                try {
                    group.start();
                } catch (SpawnException e) {
                    throw new ConfigException(e.getMessage());
                }
                shared = new Shared(specs, group);
                RUNNING.put(specs, shared);
            }
            shared.users++;
            return shared.handle();
        }
    }

    /**
     * Children running for identical specs, shared by the configs that name them: a graceful restart (SIGUSR1)
     * with an unchanged host keeps the running children (and the WebSockets tunnelled to them) instead of
     * stopping them with the old config; they stop when the last config using them stops.
     */
    private static final Map<List<SpawnSpec>, Shared> RUNNING = new HashMap<>();

    private static final class Shared {
        private final List<SpawnSpec> specs;
        private final ProcessGroup group;
        private int users;

        Shared(List<SpawnSpec> specs, ProcessGroup group) {
            this.specs = specs;
            this.group = group;
        }

        ProcSet handle() {
            AtomicBoolean released = new AtomicBoolean();
            return new ProcSet() {
                @Override
                public boolean isUp(int index) {
                    return group.isUp(index);
                }

                @Override
                public void stop() {
                    if (!released.compareAndSet(false, true)) {
                        return;
                    }
                    synchronized (RUNNING) {
                        if (--users > 0) {
                            return;
                        }
                        RUNNING.remove(specs);
                    }
                    group.stop().awaitUninterruptibly(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
                }
            };
        }
    }

    private static SocketAddress socketAddress(BackendAddress address) {
        return switch (address) {
            case BackendAddress.Tcp tcp -> tcp.address();
            case BackendAddress.Unix unix -> UnixDomainSocketAddress.of(unix.path());
        };
    }
}
