package io.lightgate.server;

import io.lightgate.config.ConfigException;
import io.lightgate.config.ConfigKey;
import io.lightgate.config.ConfigTree;
import io.lightgate.config.Configuration;
import io.lightgate.http.GracefulShutdown;
import io.lightgate.http.Module;
import io.lightgate.http.ModuleContext;
import io.lightgate.http.Site;
import io.lightgate.http.h1.Http1Connection;
import io.lightgate.log.ErrorLog;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The server's lifecycle: start from a parsed config, graceful restart (SIGUSR1) keeping the listening
 * sockets, graceful shutdown (SIGINT), immediate stop (SIGTERM), log reopening (SIGHUP). A config
 * "generation" (validated config + configured modules) serves every connection accepted under it until
 * that connection ends.
 */
public final class Server {
    private static final String SOURCE = "server";
    /** Unsent bytes the kernel may hold per TCP connection (TCP_NOTSENT_LOWAT). */
    private static final long NOT_SENT_LOW_WATER = 128 * 1024;

    private final ErrorLog log;
    private final ModuleRegistry registry;
    private final Transport transport;
    private final io.netty.util.concurrent.EventExecutor connectionLimitLoop;
    private final AtomicReference<Generation> current = new AtomicReference<>();
    private final Map<String, Listener> listeners = new LinkedHashMap<>();
    private final ConnectionLimit connectionLimit;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final List<Generation> draining = new ArrayList<>();
    private Path pidFile;

    /** A validated config with its configured modules and the connections accepted under it. */
    private record Generation(Prepared prepared, ChannelGroup connections) {
        Site site() { return prepared.site(); }
    }

    /** Everything derived from a config before any socket is touched. */
    private record Prepared(Configuration config, Site site, List<ListenAddress> addresses) { }

    private record Listener(ListenAddress address, Channel channel) { }

    private Server(ErrorLog log, ModuleRegistry registry, int eventLoops) {
        this.log = log;
        this.registry = registry;
        this.transport = Transport.create(eventLoops);
        this.connectionLimitLoop = transport.boss().next();
        this.connectionLimit = new ConnectionLimit(connectionLimitLoop, this::maxConnections, () -> {
            synchronized (listeners) {
                return listeners.values().stream().map(Listener::channel).toList();
            }
        }, log);
    }

    /** The loop that accepts connections and runs ConnectionLimit (tests hold it to order events). */
    io.netty.util.concurrent.EventExecutor acceptLoop() {
        return connectionLimitLoop;
    }

    private int maxConnections() {
        Generation gen = current.get();
        return gen == null ? 0 : gen.prepared().config().global(ServerKeys.MAX_CONNECTIONS);
    }

    public static Server start(ConfigTree tree, ErrorLog log) throws ConfigException, IOException {
        return start(tree, log, ModuleRegistry.builtIn());
    }

    /** Starts with a given module registry (tests add their own modules). */
    public static Server start(ConfigTree tree, ErrorLog log, ModuleRegistry registry)
            throws ConfigException, IOException {
        // the event loops are made as soon as the config is valid, before modules are configured: a
        // gateway module supervises the children it spawns on them
        Server[] created = new Server[1];
        Prepared prepared;
        try {
            prepared = prepare(tree, log, registry, false, config -> {
                created[0] = new Server(log, registry, config.global(ServerKeys.EVENT_LOOPS));
                return created[0].workerLoops();
            });
        } catch (ConfigException | RuntimeException e) {
            if (created[0] != null) {
                created[0].terminate(List.of());
            }
            throw e;
        }
        Server server = created[0];
        try {
            server.openErrorLog(prepared.config());
            server.current.set(new Generation(prepared, newGroup()));
            for (ListenAddress a : prepared.addresses()) {
                server.listeners.put(a.token(), server.bind(a, prepared.config()));
            }
            server.writePidFile(prepared.config());
        } catch (IOException | RuntimeException e) {
            server.stopNow();
            throw e;
        }
        log.write(SOURCE, "server started (" + prepared.site().defaultTag() + ")");
        return server;
    }

    /** {@code -tt}: everything {@link #start} checks, without sockets or files. */
    public static void check(ConfigTree tree, ErrorLog log) throws ConfigException {
        check(tree, log, ModuleRegistry.builtIn());
    }

    public static void check(ConfigTree tree, ErrorLog log, ModuleRegistry registry) throws ConfigException {
        Prepared p = prepare(tree, log, registry, true, config -> null);
        p.site().modules().forEach(Module::stop);
    }

    private static Prepared prepare(ConfigTree tree, ErrorLog log, ModuleRegistry registry, boolean testOnly,
                                    Function<Configuration, IoEventLoopGroup> loopsFor) throws ConfigException {
        List<String> names = registry.moduleNames(tree, w -> log.write(SOURCE, w));
        List<Module> modules = registry.instantiate(names);
        List<ConfigKey<?>> keys = new ArrayList<>(ServerKeys.all());
        // mimetype.* belong to the core in lighttpd (no module to list): mod_staticfile reads them
        keys.addAll(io.lightgate.modules.mimetype.MimeTypes.CONFIG_KEYS);
        for (Module m : modules) {
            keys.addAll(m.configKeys());
        }
        Configuration config = tree.validate(keys, w -> log.write(SOURCE, w));
        if (config.global(ServerKeys.DOCUMENT_ROOT) == null) {
            throw new ConfigException("server.document-root is not set");
        }
        io.lightgate.modules.mimetype.MimeTypes.checkGlobal(config, log);
        for (ConfigKey<?> k : ServerKeys.unsupported()) {
            if (config.isSetGlobally(k)) {
                log.write(SOURCE, k.name() + " is not supported by lightgate (ignored)");
            }
        }
        FeatureFlags flags = FeatureFlags.parse(config.global(ServerKeys.FEATURE_FLAGS));
        HttpParseOptions parseOptions = HttpParseOptions.parse(config.global(ServerKeys.HTTP_PARSEOPTS),
                w -> log.write(SOURCE, w));
        List<ListenAddress> addresses = new ArrayList<>();
        addresses.add(ListenAddress.main(config.global(ServerKeys.BIND), config.global(ServerKeys.PORT),
                config.global(ServerKeys.USE_IPV6)));
        for (String token : config.listenerSockets()) {
            if (addresses.stream().noneMatch(a -> a.token().equals(token))) {
                addresses.add(ListenAddress.parse(token));
            }
        }
        IoEventLoopGroup loops = loopsFor.apply(config);
        ModuleContext context = new ModuleContext() {
            @Override public ErrorLog errorLog() { return log; }
            @Override public boolean testOnly() { return testOnly; }
            @Override public IoEventLoopGroup eventLoops() { return loops; }
        };
        List<Module> configured = new ArrayList<>();
        try {
            for (Module m : modules) {
                m.configure(config, context);
                configured.add(m);
            }
        } catch (ConfigException | RuntimeException e) {
            configured.forEach(Module::stop);
            throw e;
        }
        Site site = new Site(config, modules, log, flags, parseOptions,
                config.global(ServerKeys.MAX_REQUEST_FIELD_SIZE), defaultTag());
        return new Prepared(config, site, addresses);
    }

    static String defaultTag() {
        return io.lightgate.Version.tag();
    }

    private static ChannelGroup newGroup() {
        return new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    }

    private void openErrorLog(Configuration config) throws IOException {
        String file = config.global(ServerKeys.ERRORLOG);
        if (file == null || file.isEmpty()) {
            return;
        }
        if (file.startsWith("|")) {
            String command = file.substring(1);
            if (!command.equals(log.pipeCommand())) {
                log.openPipe(command);
            }
            return;
        }
        Path path = Path.of(file);
        if (!path.equals(log.file())) {
            log.openFile(path);
        }
    }

    private void writePidFile(Configuration config) throws IOException {
        String file = config.global(ServerKeys.PID_FILE);
        if (file != null && !file.isEmpty()) {
            pidFile = Path.of(file);
            Files.writeString(pidFile, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
        }
    }

    // ---- listeners ---------------------------------------------------------------------------------

    private Listener bind(ListenAddress address, Configuration config) throws IOException {
        ServerBootstrap b = new ServerBootstrap()
                .group(transport.boss(), transport.workers())
                .option(ChannelOption.SO_BACKLOG, config.forSocket(address.token(), ServerKeys.LISTEN_BACKLOG))
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .handler(connectionLimit)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accept(ch, address.token());
                    }
                });
        SocketAddress bindTo;
        switch (address) {
            case ListenAddress.Tcp tcp -> {
                b.channelFactory(transport.tcpChannelFor(tcp.address(),
                                config.forSocket(address.token(), ServerKeys.SET_V6ONLY)))
                        .option(ChannelOption.SO_REUSEADDR, true)
                        .childOption(ChannelOption.TCP_NODELAY, true);
                if (transport.epoll()) {
                    // Keep at most this much unsent data in the kernel per connection; the rest waits for
                    // EPOLLOUT. A whole large file queued at once makes the kernel push it on the client's
                    // ACKs, against a small receive window: with 1 MiB files the client's system time per
                    // request tripled and the rate halved (lighttpd similarly writes 256 KiB per turn).
                    b.childOption(EpollChannelOption.TCP_NOTSENT_LOWAT, NOT_SENT_LOW_WATER);
                }
                bindTo = tcp.address();
            }
            case ListenAddress.Unix unix -> {
                b.channel(transport.unixChannel());
                removeStaleSocket(unix.path());
                bindTo = transport.unixAddress(unix.path());
            }
        }
        try {
            Channel ch = b.bind(bindTo).syncUninterruptibly().channel();
            return new Listener(address, ch);
        } catch (RuntimeException e) {
            throw new IOException("can't bind " + address.token() + ": " + e.getMessage(), e);
        }
    }

    private static void removeStaleSocket(Path path) throws IOException {
        if (Files.exists(path) && (Files.isRegularFile(path) || Files.isDirectory(path))) {
            throw new IOException("can't bind " + path + ": exists and is not a socket");
        }
        Files.deleteIfExists(path);
    }

    private void accept(Channel ch, String token) {
        Generation gen = current.get();
        if (stopping.get()) {
            ch.close();
            return;
        }
        gen.connections().add(ch);
        ch.pipeline().addLast("h1", new Http1Connection(gen.site(), token, "http"));
    }

    /** The addresses actually bound (ephemeral ports resolved), main listener first. */
    public List<SocketAddress> boundAddresses() {
        synchronized (listeners) {
            return listeners.values().stream().map(l -> l.channel().localAddress()).toList();
        }
    }

    // ---- lifecycle -------------------------------------------------------------------------------

    /**
     * SIGUSR1: validates {@code newTree} first (on error the old config keeps running and the error is
     * logged and thrown), keeps listeners whose token is unchanged, binds new ones, closes vanished ones;
     * new connections get the new config, old ones finish under the old one.
     */
    public void restart(ConfigTree newTree) throws ConfigException {
        Prepared next;
        try {
            next = prepare(newTree, log, registry, false, config -> workerLoops());
        } catch (ConfigException | RuntimeException e) {
            log.write(SOURCE, "graceful restart failed, keeping the running config: " + e.getMessage());
            throw e;
        }
        Map<String, Listener> added = new LinkedHashMap<>();
        try {
            for (ListenAddress a : next.addresses()) {
                if (!listeners.containsKey(a.token())) {
                    added.put(a.token(), bind(a, next.config()));
                }
            }
            openErrorLog(next.config());
        } catch (IOException e) {
            added.values().forEach(l -> l.channel().close());
            next.site().modules().forEach(Module::stop);
            log.write(SOURCE, "graceful restart failed, keeping the running config: " + e.getMessage());
            throw new ConfigException(e.getMessage());
        }
        Generation old = current.getAndSet(new Generation(next, newGroup()));
        List<Listener> vanished = new ArrayList<>();
        synchronized (listeners) {
            listeners.entrySet().removeIf(e -> {
                boolean gone = next.addresses().stream().noneMatch(a -> a.token().equals(e.getKey()));
                if (gone) {
                    vanished.add(e.getValue());
                }
                return gone;
            });
            listeners.putAll(added);
        }
        // closed outside the lock: a close completes on the boss loop, whose ConnectionLimit reads the listeners
        vanished.forEach(this::closeListener);
        connectionLimit.listenersChanged();
        log.write(SOURCE, "graceful restart: new config in force");
        drain(old, false);
    }

    /** SIGINT: stop accepting, let requests in flight finish, force-close after the graceful timeout. */
    public void shutdownGracefully() {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        closeListeners();
        drain(current.get(), true);
    }

    /** SIGTERM or a second SIGINT: close everything now. */
    public void stopNow() {
        stopping.set(true);
        closeListeners();
        Generation gen = current.get();
        List<Generation> all = new ArrayList<>();
        synchronized (draining) {
            all.addAll(draining);
        }
        if (gen != null) {
            all.add(gen);
        }
        for (Generation g : all) {
            g.connections().close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        terminate(all);
    }

    /** SIGHUP: reopen the error log and the modules' logs. */
    public void reopenLogs() {
        log.reopen();
        Generation gen = current.get();
        if (gen != null) {
            gen.site().modules().forEach(Module::reopenLogs);
        }
    }

    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    /**
     * Lets {@code gen}'s connections finish (forced after the graceful timeout), then stops its modules. On a
     * restart, upgraded connections (WebSockets, tunnels) are neither told nor forced: they run on with the old
     * config until they end, and the old modules stop after the last one (spawned children are shared with the
     * new config when it names the same ones, see SpawningLauncher).
     */
    private void drain(Generation gen, boolean thenTerminate) {
        synchronized (draining) {
            draining.add(gen);
        }
        GracefulShutdown event = thenTerminate ? GracefulShutdown.INSTANCE : GracefulShutdown.RESTART;
        for (Channel ch : gen.connections()) {
            ch.pipeline().fireUserEventTriggered(event);
        }
        int timeout = gen.site().flags().gracefulShutdownTimeoutSeconds();
        long deadline = timeout == 0 ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.SECONDS.toNanos(timeout);
        Runnable[] poll = new Runnable[1];
        boolean[] forced = new boolean[1];
        poll[0] = () -> {
            List<Channel> mustEnd = gen.connections().stream()
                    .filter(ch -> thenTerminate || !Http1Connection.isUpgraded(ch)).toList();
            if (!forced[0] && !mustEnd.isEmpty() && System.nanoTime() - deadline < 0) {
                transport.boss().schedule(poll[0], 50, TimeUnit.MILLISECONDS);
                return;
            }
            if (!forced[0] && !mustEnd.isEmpty()) {
                log.write(SOURCE, "graceful shutdown timeout: closing " + mustEnd.size() + " connection(s)");
                mustEnd.forEach(Channel::close);
            }
            forced[0] = true;
            if (!thenTerminate && !gen.connections().isEmpty()) {
                // upgraded connections of the old config still run; look again later
                transport.boss().schedule(poll[0], 1, TimeUnit.SECONDS);
                return;
            }
            gen.connections().close().addListener(f -> {
                synchronized (draining) {
                    draining.remove(gen);
                }
                if (thenTerminate) {
                    terminate(List.of(gen));
                } else {
                    // off the event loop: a module may wait for its children to exit
                    Thread.ofPlatform().name("lightgate-stop-old-config").start(() -> stopModules(gen));
                }
            });
        };
        transport.boss().execute(poll[0]);
    }

    private final AtomicBoolean terminating = new AtomicBoolean();

    private void terminate(List<Generation> gens) {
        if (!terminating.compareAndSet(false, true)) {
            return;
        }
        if (pidFile != null) {
            try {
                Files.deleteIfExists(pidFile);
            } catch (IOException ignored) {
                // the pid file is advisory
            }
        }
        // older configs still draining (upgraded connections kept by a restart) end with this one
        List<Generation> all = new ArrayList<>(gens);
        synchronized (draining) {
            for (Generation g : draining) {
                if (!all.contains(g)) {
                    all.add(g);
                }
            }
        }
        Thread t = new Thread(() -> {
            for (Generation g : all) {
                g.connections().close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
            // modules first, while the loops still run: spawned children are reaped on them
            all.forEach(this::stopModules);
            transport.workers().shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            transport.boss().shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            // the last line is written: a logger command gets its EOF and exits (and the file is let go)
            log.close();
            terminated.countDown();
        }, "lightgate-shutdown");
        t.start();
    }

    private void stopModules(Generation gen) {
        gen.site().modules().forEach(m -> {
            try {
                m.stop();
            } catch (RuntimeException e) {
                log.write(SOURCE, m.name() + " stop failed: " + e);
            }
        });
    }

    private IoEventLoopGroup workerLoops() {
        return (IoEventLoopGroup) transport.workers();
    }

    private void closeListeners() {
        List<Listener> closing;
        synchronized (listeners) {
            closing = new ArrayList<>(listeners.values());
            listeners.clear();
        }
        // outside the lock: the close completes on the boss loop, and a ConnectionLimit task there may be
        // waiting for the lock (a stop right after a restart hung the server this way)
        closing.forEach(this::closeListener);
    }

    private void closeListener(Listener l) {
        l.channel().close().syncUninterruptibly();
        if (l.address() instanceof ListenAddress.Unix unix) {
            try {
                Files.deleteIfExists(unix.path());
            } catch (IOException ignored) {
                // a leftover socket file is removed at the next start
            }
        }
    }
}
