package io.lightgate.gateway.spawn;

import io.lightgate.config.ConfigException;
import io.lightgate.gateway.BackendAddress;
import io.lightgate.gateway.HostConfig;
import io.lightgate.gateway.ProcLauncher;
import io.lightgate.gateway.ProcSet;
import io.lightgate.http.ModuleContext;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
        if (loop == null || !loop.isIoType(EpollIoHandler.class)) {
            throw new ConfigException("bin-path " + String.join(" ", host.binPath())
                    + ": spawning backends needs Linux with the epoll transport; start the backend yourself and "
                    + "remove \"bin-path\"");
        }
        List<SpawnSpec> specs = new ArrayList<>(addresses.size());
        for (BackendAddress address : addresses) {
            specs.add(new SpawnSpec(Path.of(host.binPath().getFirst()), host.binPath(), host.binEnvironment(),
                    host.binCopyEnvironment(), socketAddress(address), host.listenBacklog(), host.killSignal()));
        }
        ProcessGroup group = new ProcessGroup(specs, loop, context.errorLog(), timings);
        try {
            group.start();
        } catch (SpawnException e) {
            throw new ConfigException(e.getMessage());
        }
        return new ProcSet() {
            @Override
            public boolean isUp(int index) {
                return group.isUp(index);
            }

            @Override
            public void stop() {
                group.stop().awaitUninterruptibly(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
            }
        };
    }

    private static SocketAddress socketAddress(BackendAddress address) {
        return switch (address) {
            case BackendAddress.Tcp tcp -> tcp.address();
            case BackendAddress.Unix unix -> UnixDomainSocketAddress.of(unix.path());
        };
    }
}
