package io.lightgate.os;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The thin FFM layer over libc for what the JDK cannot do; the only class that binds libc symbols. Calls are
 * bound lazily so a platform without a symbol fails only when that call is used. Constants are the Linux
 * values shared by x86_64 and aarch64 (the two platforms lightgate ships natives for).
 */
public final class Posix {
    private Posix() { }

    public static final int SIGHUP = 1;
    public static final int SIGINT = 2;
    public static final int SIGQUIT = 3;
    public static final int SIGKILL = 9;
    public static final int SIGUSR1 = 10;
    public static final int SIGUSR2 = 12;
    public static final int SIGPIPE = 13;
    public static final int SIGTERM = 15;
    public static final int SIGWINCH = 28;

    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int ECHILD = 10;
    static final int EACCES = 13;
    static final int EINVAL = 22;
    static final int ENOSYS = 38;
    static final int EADDRINUSE = 98;
    static final int ECONNREFUSED = 111;

    static final int AF_UNIX = 1;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int SOCK_STREAM = 1;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOL_SOCKET = 1;
    static final int SO_REUSEADDR = 2;
    static final int IPPROTO_IPV6 = 41;
    static final int IPV6_V6ONLY = 26;

    private static final int O_WRONLY = 1;
    private static final int O_RDWR = 2;
    private static final int O_CREAT = 0x40;
    private static final int O_APPEND = 0x400;
    private static final int O_NONBLOCK = 0x800;
    private static final int O_CLOEXEC = 0x80000;
    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;
    private static final int WNOHANG = 1;
    private static final long SYS_PIDFD_OPEN = 434;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    static final ValueLayout.OfShort C_SHORT = ValueLayout.JAVA_SHORT;
    static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;
    static final AddressLayout C_POINTER = ValueLayout.ADDRESS;

    private static MethodHandle bind(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = LIBC.find(name)
                .orElseThrow(() -> new UnsupportedOperationException("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /** Binds a call that reports failure as -1 plus errno; the handle takes the capture segment first. */
    private static MethodHandle bindErrno(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        Linker.Option[] all = java.util.Arrays.copyOf(options, options.length + 1);
        all[options.length] = Linker.Option.captureCallState("errno");
        return bind(name, descriptor, all);
    }

    private static FunctionDescriptor ints(int arguments) {
        return FunctionDescriptor.of(C_INT, java.util.Collections.nCopies(arguments, C_INT)
                .toArray(new ValueLayout[0]));
    }

    private static final class Handles {
        static final MethodHandle SETSID = bind("setsid", FunctionDescriptor.of(C_INT));
        static final MethodHandle SIGNAL = bind("signal", FunctionDescriptor.of(C_POINTER, C_INT, C_POINTER));
        static final MethodHandle OPEN = bind("open", FunctionDescriptor.of(C_INT, C_POINTER, C_INT));
        static final MethodHandle DUP2 = bind("dup2", ints(2));
        static final MethodHandle STRERROR = bind("strerror", FunctionDescriptor.of(C_POINTER, C_INT));
        // glibc >= 2.32; without it errors still carry the number and strerror's text.
        static final MethodHandle STRERRORNAME = LIBC.find("strerrorname_np").isPresent()
                ? bind("strerrorname_np", FunctionDescriptor.of(C_POINTER, C_INT))
                : null;
    }

    /** Calls that set errno. */
    private static final class ErrnoHandles {
        static final MethodHandle CLOSE = bindErrno("close", ints(1));
        static final MethodHandle OPEN_MODE = bindErrno("open",
                FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT), Linker.Option.firstVariadicArg(2));
        static final MethodHandle FCNTL = bindErrno("fcntl", ints(3), Linker.Option.firstVariadicArg(2));
        static final MethodHandle PIPE2 = bindErrno("pipe2", FunctionDescriptor.of(C_INT, C_POINTER, C_INT));
        static final MethodHandle SOCKET = bindErrno("socket", ints(3));
        static final MethodHandle SETSOCKOPT = bindErrno("setsockopt",
                FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT, C_POINTER, C_INT));
        static final MethodHandle BIND = bindErrno("bind", FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT));
        static final MethodHandle CONNECT = bindErrno("connect",
                FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT));
        static final MethodHandle LISTEN = bindErrno("listen", ints(2));
        static final MethodHandle GETSOCKNAME = bindErrno("getsockname",
                FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_POINTER));
        static final MethodHandle KILL = bindErrno("kill", ints(2));
        static final MethodHandle WAITPID = bindErrno("waitpid",
                FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT));
    }

    private static final class PidfdHandles {
        // glibc >= 2.36 has a wrapper; older ones only the raw system call (same number on x86_64 and aarch64).
        static final MethodHandle PIDFD_OPEN = LIBC.find("pidfd_open").isPresent()
                ? bindErrno("pidfd_open", ints(2))
                : null;
        static final MethodHandle SYSCALL = bindErrno("syscall",
                FunctionDescriptor.of(C_LONG, C_LONG, C_INT, C_INT), Linker.Option.firstVariadicArg(1));
    }

    /** posix_spawn and its helpers return an error number instead of setting errno. */
    static final class SpawnHandles {
        static final MethodHandle FILE_ACTIONS_INIT = bind("posix_spawn_file_actions_init",
                FunctionDescriptor.of(C_INT, C_POINTER));
        static final MethodHandle FILE_ACTIONS_DESTROY = bind("posix_spawn_file_actions_destroy",
                FunctionDescriptor.of(C_INT, C_POINTER));
        static final MethodHandle ADD_DUP2 = bind("posix_spawn_file_actions_adddup2",
                FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT));
        static final MethodHandle ADD_CLOSEFROM = bind("posix_spawn_file_actions_addclosefrom_np",
                FunctionDescriptor.of(C_INT, C_POINTER, C_INT));
        static final MethodHandle ADD_CHDIR = bind("posix_spawn_file_actions_addchdir_np",
                FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER));
        static final MethodHandle ATTR_INIT = bind("posix_spawnattr_init", FunctionDescriptor.of(C_INT, C_POINTER));
        static final MethodHandle ATTR_DESTROY = bind("posix_spawnattr_destroy",
                FunctionDescriptor.of(C_INT, C_POINTER));
        static final MethodHandle ATTR_SETFLAGS = bind("posix_spawnattr_setflags",
                FunctionDescriptor.of(C_INT, C_POINTER, C_SHORT));
        static final MethodHandle ATTR_SETSIGMASK = bind("posix_spawnattr_setsigmask",
                FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER));
        static final MethodHandle ATTR_SETSIGDEFAULT = bind("posix_spawnattr_setsigdefault",
                FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER));
        static final MethodHandle ATTR_SETPGROUP = bind("posix_spawnattr_setpgroup",
                FunctionDescriptor.of(C_INT, C_POINTER, C_INT));
        static final MethodHandle SIGEMPTYSET = bind("sigemptyset", FunctionDescriptor.of(C_INT, C_POINTER));
        static final MethodHandle SIGFILLSET = bind("sigfillset", FunctionDescriptor.of(C_INT, C_POINTER));
        static final MethodHandle POSIX_SPAWN = bind("posix_spawn", FunctionDescriptor.of(C_INT,
                C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER));
    }

    // ---- errno ---------------------------------------------------------------------------------------------

    private static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    /** strerror(3) text, e.g. "No such file or directory". */
    static String describe(int errno) {
        try {
            return string((MemorySegment) Handles.STRERROR.invokeExact(errno), "errno " + errno);
        } catch (Throwable t) {
            throw unchecked("strerror", t);
        }
    }

    /** The symbolic name, e.g. "ENOENT". */
    static String name(int errno) {
        if (Handles.STRERRORNAME == null) {
            return "errno " + errno;
        }
        try {
            return string((MemorySegment) Handles.STRERRORNAME.invokeExact(errno), "errno " + errno);
        } catch (Throwable t) {
            throw unchecked("strerrorname_np", t);
        }
    }

    private static String string(MemorySegment text, String fallback) {
        // Both return static strings of a few dozen bytes; 1 KiB bounds the read.
        return text.equals(MemorySegment.NULL) ? fallback : text.reinterpret(1024).getString(0);
    }

    private static ErrnoException failure(String call, MemorySegment capture) {
        return new ErrnoException(call, errno(capture));
    }

    private static RuntimeException unchecked(String call, Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        return t instanceof RuntimeException e ? e : new IllegalStateException(call + " could not be called", t);
    }

    private static RuntimeException rethrow(String call, Throwable t) throws ErrnoException {
        if (t instanceof ErrnoException e) {
            throw e;
        }
        throw unchecked(call, t);
    }

    // ---- file descriptors ----------------------------------------------------------------------------------

    /** Closes {@code fd}; EINTR counts as closed (Linux always releases the descriptor). */
    public static void close(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
            if ((int) ErrnoHandles.CLOSE.invokeExact(capture, fd) < 0 && errno(capture) != EINTR) {
                throw failure("close(" + fd + ")", capture);
            }
        } catch (Throwable t) {
            throw rethrow("close", t);
        }
    }

    /**
     * open(path, O_WRONLY|O_APPEND|O_CREAT|O_CLOEXEC, 0644): a log file whose descriptor a child gets as its
     * stderr (server.breakagelog). The caller closes it.
     */
    public static int openAppend(java.nio.file.Path path) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
            int fd = (int) ErrnoHandles.OPEN_MODE.invokeExact(capture, arena.allocateFrom(path.toString()),
                    O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
            if (fd < 0) {
                throw failure("open(" + path + ")", capture);
            }
            return fd;
        } catch (Throwable t) {
            throw rethrow("open", t);
        }
    }

    /** Sets O_NONBLOCK on {@code fd}: for the parent's end of a pipe or socket pair only, never a child's. */
    public static void setNonBlocking(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
            int flags = (int) ErrnoHandles.FCNTL.invokeExact(capture, fd, F_GETFL, 0);
            if (flags < 0) {
                throw failure("fcntl(" + fd + ", F_GETFL)", capture);
            }
            if ((flags & O_NONBLOCK) == 0
                    && (int) ErrnoHandles.FCNTL.invokeExact(capture, fd, F_SETFL, flags | O_NONBLOCK) < 0) {
                throw failure("fcntl(" + fd + ", F_SETFL, O_NONBLOCK)", capture);
            }
        } catch (Throwable t) {
            throw rethrow("fcntl", t);
        }
    }

    /** pipe2(O_CLOEXEC): {read end, write end}. */
    static int[] pipe2() throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
            MemorySegment fds = arena.allocate(C_INT, 2);
            if ((int) ErrnoHandles.PIPE2.invokeExact(capture, fds, O_CLOEXEC) < 0) {
                throw failure("pipe2", capture);
            }
            return new int[] {fds.getAtIndex(C_INT, 0), fds.getAtIndex(C_INT, 1)};
        } catch (Throwable t) {
            throw rethrow("pipe2", t);
        }
    }

    // ---- sockets -------------------------------------------------------------------------------------------

    /** socket(family, SOCK_STREAM | SOCK_CLOEXEC | extraFlags, 0). */
    static int streamSocket(int family, int extraFlags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
            int type = SOCK_STREAM | SOCK_CLOEXEC | extraFlags;
            int fd = (int) ErrnoHandles.SOCKET.invokeExact(capture, family, type, 0);
            if (fd < 0) {
                throw failure("socket", capture);
            }
            return fd;
        } catch (Throwable t) {
            throw rethrow("socket", t);
        }
    }

    static void setReuseAddress(int fd) throws ErrnoException {
        setIntOption(fd, SOL_SOCKET, SO_REUSEADDR, "setsockopt(SO_REUSEADDR)");
    }

    private static void setIntOption(int fd, int level, int option, String call) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
            MemorySegment one = arena.allocateFrom(C_INT, 1);
            if ((int) ErrnoHandles.SETSOCKOPT.invokeExact(capture, fd, level, option, one, 4) < 0) {
                throw failure(call, capture);
            }
        } catch (Throwable t) {
            throw rethrow("setsockopt", t);
        }
    }

    /**
     * IPV6_V6ONLY on an IPv6 socket before bind: it then takes only IPv6 connections, so an IPv4 listener on the
     * same port can exist beside it (lighttpd's server.set-v6only, on by default).
     */
    public static void setIpv6Only(int fd) throws ErrnoException {
        setIntOption(fd, IPPROTO_IPV6, IPV6_V6ONLY, "setsockopt(IPV6_V6ONLY)");
    }

    static void bind(int fd, MemorySegment address, String shownAddress) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
            if ((int) ErrnoHandles.BIND.invokeExact(capture, fd, address, (int) address.byteSize()) < 0) {
                throw failure("bind(" + shownAddress + ")", capture);
            }
        } catch (Throwable t) {
            throw rethrow("bind", t);
        }
    }

    /** connect(2); returns 0 on success or the errno (the caller decides what it means). */
    static int connect(int fd, MemorySegment address) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
            int result;
            do {
                result = (int) ErrnoHandles.CONNECT.invokeExact(capture, fd, address, (int) address.byteSize());
            } while (result < 0 && errno(capture) == EINTR);
            return result < 0 ? errno(capture) : 0;
        } catch (Throwable t) {
            throw unchecked("connect", t);
        }
    }

    static void listen(int fd, int backlog, String shownAddress) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
            if ((int) ErrnoHandles.LISTEN.invokeExact(capture, fd, backlog) < 0) {
                throw failure("listen(" + shownAddress + ")", capture);
            }
        } catch (Throwable t) {
            throw rethrow("listen", t);
        }
    }

    /** getsockname(2) into {@code address}; returns the length the kernel reported. */
    static int getsockname(int fd, MemorySegment address) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
            MemorySegment length = arena.allocateFrom(C_INT, (int) address.byteSize());
            if ((int) ErrnoHandles.GETSOCKNAME.invokeExact(capture, fd, address, length) < 0) {
                throw failure("getsockname", capture);
            }
            return length.get(C_INT, 0);
        } catch (Throwable t) {
            throw rethrow("getsockname", t);
        }
    }

    // ---- processes -----------------------------------------------------------------------------------------

    /** kill(2): {@code pid} > 0 signals one process, a negative value the process group {@code -pid}. */
    public static void kill(int pid, int signal) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
            if ((int) ErrnoHandles.KILL.invokeExact(capture, pid, signal) < 0) {
                throw failure("kill(" + pid + ", " + signal + ")", capture);
            }
        } catch (Throwable t) {
            throw rethrow("kill", t);
        }
    }

    /** pidfd_open(pid, 0): a close-on-exec descriptor that becomes readable when the process exits. */
    static int pidfdOpen(int pid) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
            int fd = PidfdHandles.PIDFD_OPEN != null
                    ? (int) PidfdHandles.PIDFD_OPEN.invokeExact(capture, pid, 0)
                    : (int) (long) PidfdHandles.SYSCALL.invokeExact(capture, SYS_PIDFD_OPEN, pid, 0);
            if (fd < 0) {
                throw failure("pidfd_open(" + pid + ")", capture);
            }
            return fd;
        } catch (Throwable t) {
            throw rethrow("pidfd_open", t);
        }
    }

    /**
     * waitpid(pid, &status, noHang ? WNOHANG : 0) for one known child (never -1: that would steal the JDK's
     * children). Returns the raw wait status, or -1 while the child is still running (WNOHANG only).
     */
    static int waitpid(int pid, boolean noHang) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
            MemorySegment status = arena.allocate(C_INT);
            int result;
            do {
                result = (int) ErrnoHandles.WAITPID.invokeExact(capture, pid, status, noHang ? WNOHANG : 0);
            } while (result < 0 && errno(capture) == EINTR);
            if (result < 0) {
                throw failure("waitpid(" + pid + ")", capture);
            }
            return result == 0 ? -1 : status.get(C_INT, 0);
        } catch (Throwable t) {
            throw rethrow("waitpid", t);
        }
    }

    // ---- this process --------------------------------------------------------------------------------------

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
        setDisposition(signal, MemorySegment.NULL);
    }

    /** Sets {@code signal} to SIG_IGN in this process (spawned children get every signal reset to default). */
    public static void ignoreSignal(int signal) {
        setDisposition(signal, MemorySegment.ofAddress(1));
    }

    private static void setDisposition(int signal, MemorySegment handler) {
        try {
            MemorySegment ignored = (MemorySegment) Handles.SIGNAL.invokeExact(signal, handler);
        } catch (Throwable t) {
            throw new IllegalStateException("signal(" + signal + ") failed", t);
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
                close(fd);
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("redirecting standard streams failed", t);
        }
    }
}
