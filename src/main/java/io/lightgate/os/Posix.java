package io.lightgate.os;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The thin FFM layer over libc for what the JDK cannot do (the only package that touches libc). Calls are
 * bound lazily so a platform without a symbol fails only when that call is used.
 */
public final class Posix {
    private Posix() { }

    public static final int SIGHUP = 1;
    public static final int SIGINT = 2;
    public static final int SIGTERM = 15;
    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 0x80000;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();

    private static MethodHandle bind(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = LIBC.find(name)
                .orElseThrow(() -> new UnsupportedOperationException("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor);
    }

    private static final class Handles {
        static final MethodHandle SETSID = bind("setsid", FunctionDescriptor.of(ValueLayout.JAVA_INT));
        static final MethodHandle SIGNAL = bind("signal",
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        static final MethodHandle OPEN = bind("open",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        static final MethodHandle DUP2 = bind("dup2",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    }

    /** Starts a new session (detaches from the controlling terminal); returns the session id or -1. */
    public static int setsid() {
        try {
            return (int) Handles.SETSID.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("setsid failed", t);
        }
    }

    /**
     * Resets {@code signal} to its default disposition. A shell starts background jobs with SIGINT ignored,
     * and the JVM then never delivers it; lighttpd handles SIGINT in that case too, so we reset it first.
     */
    public static void resetSignalToDefault(int signal) {
        try {
            MemorySegment ignored = (MemorySegment) Handles.SIGNAL.invokeExact(signal, MemorySegment.NULL);
        } catch (Throwable t) {
            throw new IllegalStateException("signal(" + signal + ", SIG_DFL) failed", t);
        }
    }

    /**
     * Points the standard streams 1 and 2 at {@code /dev/null}: a detached server must not write into the
     * pipe of the parent that started it (the parent is gone, and writes would fail).
     */
    public static void redirectStdoutAndStderrToDevNull() {
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) Handles.OPEN.invokeExact(arena.allocateFrom("/dev/null"), O_RDWR | O_CLOEXEC);
            if (fd < 0) {
                throw new IllegalStateException("open /dev/null failed");
            }
            try {
                for (int target : new int[] {1, 2}) {
                    if ((int) Handles.DUP2.invokeExact(fd, target) < 0) {
                        throw new IllegalStateException("dup2 onto " + target + " failed");
                    }
                }
            } finally {
                int ignored = (int) Handles.CLOSE.invokeExact(fd);
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("redirecting standard streams failed", t);
        }
    }
}
