package io.lightgate.gateway;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One proc of a backend host (a remote host is one proc): its address, its load (connections open or being
 * opened) and until when it is disabled after a failed connect. Shared by every event loop.
 */
public final class BackendProc {
    private static final long ENABLED = Long.MIN_VALUE;

    private final BackendHost host;
    private final int index;
    private final BackendAddress address;
    private final AtomicInteger load = new AtomicInteger();
    private final AtomicLong disabledUntilNanos = new AtomicLong(ENABLED);

    BackendProc(BackendHost host, int index, BackendAddress address) {
        this.host = host;
        this.index = index;
        this.address = address;
    }

    public BackendHost host() { return host; }
    public int index() { return index; }
    public BackendAddress address() { return address; }
    public int load() { return load.get(); }

    /** Running (per the host's ProcSet) and not disabled at {@code nowNanos}. */
    boolean isUp(long nowNanos) {
        long until = disabledUntilNanos.get();
        if (until != ENABLED) {
            if (nowNanos - until < 0) {
                return false;
            }
            disabledUntilNanos.compareAndSet(until, ENABLED);
        }
        return host.procSet().isUp(index);
    }

    /** Whether the proc is disabled at {@code nowNanos} (after a failed connect). */
    boolean isDisabled(long nowNanos) {
        long until = disabledUntilNanos.get();
        return until != ENABLED && nowNanos - until < 0;
    }

    /**
     * Skips this proc for the host's disable-time. Returns true when it was enabled before, so the caller
     * logs the event once rather than once per failing request.
     */
    boolean disable(long nowNanos) {
        long until = nowNanos + TimeUnit.SECONDS.toNanos(host.config().disableTime());
        while (true) {
            long prev = disabledUntilNanos.get();
            boolean wasEnabled = prev == ENABLED || nowNanos - prev >= 0;
            if (!wasEnabled && until - prev <= 0) {
                return false;
            }
            if (disabledUntilNanos.compareAndSet(prev, until)) {
                return wasEnabled;
            }
        }
    }

    void acquire() {
        load.incrementAndGet();
        host.loadChanged(1);
    }

    void release() {
        load.decrementAndGet();
        host.loadChanged(-1);
    }

    @Override
    public String toString() {
        return address.toString();
    }
}
