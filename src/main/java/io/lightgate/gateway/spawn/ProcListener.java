package io.lightgate.gateway.spawn;

import io.lightgate.os.ExitStatus;

/** Told when a running {@link ProcessGroup}'s procs come and go; called on the group's event loop. */
public interface ProcListener {

    /** Proc {@code proc} accepts connections again: its child was respawned, or someone else listens there now. */
    void procUp(int proc);

    /** Proc {@code proc}'s child died while the group was running (not when stopped); a restart is scheduled. */
    void procDown(int proc, ExitStatus status);
}
