package io.lightgate.gateway;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A configured backend host with its runtime state: its procs, its load and which procs run. One instance
 * per host block per config block (as lighttpd's host objects), shared by every event loop.
 */
public final class BackendHost {
    private final HostConfig config;
    private final long hashSeed;
    private final AtomicInteger load = new AtomicInteger();
    private volatile List<BackendProc> procs = List.of();
    private volatile ProcSet procSet = ProcSet.EXTERNAL;

    BackendHost(HostConfig config) {
        this.config = config;
        this.hashSeed = Balance.hash64((config.label() == null ? "" : config.label()) + "\0" + config.address());
    }

    public HostConfig config() { return config; }

    /** Connections open or being opened to this host. */
    public int load() { return load.get(); }

    public List<BackendProc> procs() { return procs; }

    long hashSeed() { return hashSeed; }

    ProcSet procSet() { return procSet; }

    /**
     * The address of each proc: one for a remote host; {@code <socket>-<i>} or {@code port + i} for
     * i in 0 .. max-procs - 1 with bin-path. Resolves the host name (blocking, first address, as lighttpd).
     */
    List<BackendAddress> addresses() throws UnknownHostException {
        int n = config.hasBinPath() ? config.maxProcs() : 1;
        List<BackendAddress> out = new ArrayList<>(n);
        if (config.isUnixSocket()) {
            for (int i = 0; i < n; i++) {
                out.add(new BackendAddress.Unix(Path.of(config.hasBinPath() ? config.socket() + "-" + i : config.socket())));
            }
        } else {
            InetAddress ip = InetAddress.getByName(config.host());
            for (int i = 0; i < n; i++) {
                out.add(new BackendAddress.Tcp(new InetSocketAddress(ip, config.port() + i)));
            }
        }
        return out;
    }

    /** Makes the host usable: its procs at {@code addresses}, running as {@code procSet} says. */
    void prepare(List<BackendAddress> addresses, ProcSet procSet) {
        List<BackendProc> list = new ArrayList<>(addresses.size());
        for (int i = 0; i < addresses.size(); i++) {
            list.add(new BackendProc(this, i, addresses.get(i)));
        }
        this.procSet = procSet;
        this.procs = List.copyOf(list);
    }

    /** Whether some proc is up at {@code nowNanos}. */
    boolean isUp(long nowNanos) {
        for (BackendProc p : procs) {
            if (p.isUp(nowNanos)) {
                return true;
            }
        }
        return false;
    }

    /** The running, enabled proc with the lowest load (the first on ties), or null. */
    BackendProc leastLoadedProc(long nowNanos) {
        BackendProc best = null;
        for (BackendProc p : procs) {
            if (p.isUp(nowNanos) && (best == null || p.load() < best.load())) {
                best = p;
            }
        }
        return best;
    }

    void loadChanged(int delta) {
        load.addAndGet(delta);
    }

    @Override
    public String toString() {
        return config.label() == null ? config.address() : config.label() + " (" + config.address() + ")";
    }
}
