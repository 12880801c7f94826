package io.lightgate.os;

/** How a reaped child ended: its exit code, or the signal that killed it. */
public sealed interface ExitStatus {

    /** The child called exit(code). */
    record Exited(int code) implements ExitStatus { }

    /** A signal killed the child. */
    record Signaled(int signal, boolean coreDumped) implements ExitStatus { }

    /** Decodes a wait status as waitpid(2) reports it (WIFEXITED/WEXITSTATUS, WTERMSIG/WCOREDUMP). */
    static ExitStatus fromWaitStatus(int status) {
        int termination = status & 0x7f;
        if (termination == 0) {
            return new Exited((status >> 8) & 0xff);
        }
        if (termination == 0x7f) {
            // Only stopped/continued children report this, and we never ask for those (no WUNTRACED).
            throw new IllegalArgumentException("not a termination status: 0x" + Integer.toHexString(status));
        }
        return new Signaled(termination, (status & 0x80) != 0);
    }
}
