package io.lightgate.gateway;

/**
 * Which procs of one backend host are running: the seam between the gateway and the spawning layer
 * (io.lightgate.gateway.spawn). The gateway asks it before picking a proc; it never blocks.
 */
public interface ProcSet {
    /** A host that is not spawned by us (no bin-path, or something already listened): always up. */
    ProcSet EXTERNAL = proc -> true;

    /** Whether proc {@code index} (0 .. max-procs - 1) is running and may be connected to. Any thread. */
    boolean isUp(int index);

    /** Shutdown or reload: stop the procs (kill-signal, unlink sockets). A no-op for external hosts. */
    default void stop() { }
}
