package io.lightgate.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starts programs the way lighttpd starts bin-path backends and CGI scripts, with posix_spawn: chosen fds on
 * 0 (and optionally 1, 2), every other descriptor closed, an empty signal mask, all signals at their default
 * disposition, the child leading its own process group, and exactly the environment given.
 */
public final class Spawn {
    private Spawn() { }

    /** Leave fd 1 or 2 as this process has it (lighttpd lets backends write to its own stdout/stderr). */
    public static final int INHERIT = -1;

    private static final short POSIX_SPAWN_SETPGROUP = 0x02;
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    // glibc's posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336 and sigset_t 128 on LP64 Linux;
    // the opaque buffers are generously larger.
    private static final long FILE_ACTIONS_BYTES = 256;
    private static final long ATTRIBUTES_BYTES = 512;
    private static final long SIGSET_BYTES = 128;

    /**
     * What to start.
     *
     * @param program  the executable; not searched in PATH. A relative path is resolved after {@code cwd}.
     * @param argv     the arguments, argv[0] first
     * @param env      the complete environment (insertion order kept); the JVM's is never passed implicitly
     * @param stdinFd  a descriptor of ours (>= 3) that becomes the child's fd 0, e.g. a {@link ListeningSocket}
     * @param stdoutFd a descriptor (>= 3) for fd 1, or {@link #INHERIT}
     * @param stderrFd a descriptor (>= 3) for fd 2, or {@link #INHERIT}
     * @param cwd      the child's working directory, or null to keep ours
     */
    public record Request(Path program, List<String> argv, Map<String, String> env,
                          int stdinFd, int stdoutFd, int stderrFd, Path cwd) {
        public Request {
            if (program == null || program.toString().isEmpty()) {
                throw new IllegalArgumentException("program is required");
            }
            argv = List.copyOf(argv);
            if (argv.isEmpty()) {
                throw new IllegalArgumentException("argv needs at least argv[0]");
            }
            argv.forEach(arg -> requireNoNul("argument", arg));
            env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
            env.forEach((name, value) -> {
                if (name.isEmpty() || name.indexOf('=') >= 0) {
                    throw new IllegalArgumentException("bad environment variable name: '" + name + "'");
                }
                requireNoNul("environment variable", name);
                requireNoNul("environment value of " + name, value);
            });
            requireOwnFd("stdinFd", stdinFd, false);
            requireOwnFd("stdoutFd", stdoutFd, true);
            requireOwnFd("stderrFd", stderrFd, true);
        }

        /** fd 0 from {@code stdinFd}; fds 1 and 2 inherited; our working directory. */
        public static Request of(Path program, List<String> argv, Map<String, String> env, int stdinFd) {
            return new Request(program, argv, env, stdinFd, INHERIT, INHERIT, null);
        }

        public Request withStdout(int fd) {
            return new Request(program, argv, env, stdinFd, fd, stderrFd, cwd);
        }

        public Request withStderr(int fd) {
            return new Request(program, argv, env, stdinFd, stdoutFd, fd, cwd);
        }

        public Request withCwd(Path directory) {
            return new Request(program, argv, env, stdinFd, stdoutFd, stderrFd, directory);
        }

        public Optional<Path> workingDirectory() {
            return Optional.ofNullable(cwd);
        }

        private static void requireNoNul(String what, String text) {
            if (text.indexOf('\0') >= 0) {
                throw new IllegalArgumentException(what + " contains a NUL character");
            }
        }

        // Sources below 3 could be overwritten by an earlier dup2 in the child; ours are always >= 3.
        private static void requireOwnFd(String what, int fd, boolean mayInherit) {
            if (fd < 3 && !(mayInherit && fd == INHERIT)) {
                throw new IllegalArgumentException(what + " must be a descriptor >= 3"
                        + (mayInherit ? " or INHERIT" : "") + ", was " + fd);
            }
        }
    }

    /**
     * Starts the program. Failures of the exec itself (ENOENT, EACCES, ENOEXEC, ...) are reported here,
     * synchronously: glibc's posix_spawn waits until the child has exec'ed or failed.
     */
    public static SpawnedProcess spawn(Request request) throws ErrnoException {
        int pid;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment actions = arena.allocate(FILE_ACTIONS_BYTES, 16);
            MemorySegment attributes = arena.allocate(ATTRIBUTES_BYTES, 16);
            check("posix_spawn_file_actions_init", (int) Posix.SpawnHandles.FILE_ACTIONS_INIT.invokeExact(actions));
            try {
                check("posix_spawnattr_init", (int) Posix.SpawnHandles.ATTR_INIT.invokeExact(attributes));
                try {
                    addFileActions(request, actions, arena);
                    setAttributes(attributes, arena);
                    pid = spawn(request, actions, attributes, arena);
                } finally {
                    int _ = (int) Posix.SpawnHandles.ATTR_DESTROY.invokeExact(attributes);
                }
            } finally {
                int _ = (int) Posix.SpawnHandles.FILE_ACTIONS_DESTROY.invokeExact(actions);
            }
        } catch (ErrnoException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("posix_spawn could not be called", t);
        }
        return supervise(pid, request.program());
    }

    private static void addFileActions(Request request, MemorySegment actions, Arena arena) throws Throwable {
        check("posix_spawn_file_actions_adddup2(0)",
                (int) Posix.SpawnHandles.ADD_DUP2.invokeExact(actions, request.stdinFd(), 0));
        if (request.stdoutFd() != INHERIT) {
            check("posix_spawn_file_actions_adddup2(1)",
                    (int) Posix.SpawnHandles.ADD_DUP2.invokeExact(actions, request.stdoutFd(), 1));
        }
        if (request.stderrFd() != INHERIT) {
            check("posix_spawn_file_actions_adddup2(2)",
                    (int) Posix.SpawnHandles.ADD_DUP2.invokeExact(actions, request.stderrFd(), 2));
        }
        if (request.cwd() != null) {
            MemorySegment directory = arena.allocateFrom(request.cwd().toString(), SocketAddresses.PATH_CHARSET);
            check("posix_spawn_file_actions_addchdir_np",
                    (int) Posix.SpawnHandles.ADD_CHDIR.invokeExact(actions, directory));
        }
        // The JVM opens jars, /dev/random etc. without close-on-exec: close everything but 0, 1, 2.
        check("posix_spawn_file_actions_addclosefrom_np",
                (int) Posix.SpawnHandles.ADD_CLOSEFROM.invokeExact(actions, 3));
    }

    private static void setAttributes(MemorySegment attributes, Arena arena) throws Throwable {
        MemorySegment empty = arena.allocate(SIGSET_BYTES, 8);
        MemorySegment full = arena.allocate(SIGSET_BYTES, 8);
        check("sigemptyset", (int) Posix.SpawnHandles.SIGEMPTYSET.invokeExact(empty));
        check("sigfillset", (int) Posix.SpawnHandles.SIGFILLSET.invokeExact(full));
        // JVM threads block SIGQUIT and others; the child must start with nothing blocked and nothing ignored.
        check("posix_spawnattr_setsigmask", (int) Posix.SpawnHandles.ATTR_SETSIGMASK.invokeExact(attributes, empty));
        check("posix_spawnattr_setsigdefault",
                (int) Posix.SpawnHandles.ATTR_SETSIGDEFAULT.invokeExact(attributes, full));
        // Own process group: a terminal ^C to the server does not hit backends, and kill(-pid) stops a tree.
        check("posix_spawnattr_setpgroup", (int) Posix.SpawnHandles.ATTR_SETPGROUP.invokeExact(attributes, 0));
        short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP;
        check("posix_spawnattr_setflags", (int) Posix.SpawnHandles.ATTR_SETFLAGS.invokeExact(attributes, flags));
    }

    private static int spawn(Request request, MemorySegment actions, MemorySegment attributes, Arena arena)
            throws Throwable {
        MemorySegment path = arena.allocateFrom(request.program().toString(), SocketAddresses.PATH_CHARSET);
        MemorySegment argv = nullTerminated(request.argv(), arena);
        MemorySegment envp = nullTerminated(request.env().entrySet().stream()
                .map(entry -> entry.getKey() + "=" + entry.getValue()).toList(), arena);
        MemorySegment pid = arena.allocate(Posix.C_INT);
        int error = (int) Posix.SpawnHandles.POSIX_SPAWN.invokeExact(pid, path, actions, attributes, argv, envp);
        if (error != 0) {
            throw new ErrnoException("posix_spawn(" + request.program() + ")", error);
        }
        return pid.get(Posix.C_INT, 0);
    }

    private static MemorySegment nullTerminated(List<String> strings, Arena arena) {
        MemorySegment array = arena.allocate(Posix.C_POINTER, strings.size() + 1);
        for (int i = 0; i < strings.size(); i++) {
            array.setAtIndex(Posix.C_POINTER, i, arena.allocateFrom(strings.get(i), StandardCharsets.UTF_8));
        }
        array.setAtIndex(Posix.C_POINTER, strings.size(), MemorySegment.NULL);
        return array;
    }

    private static SpawnedProcess supervise(int pid, Path program) throws ErrnoException {
        try {
            return new SpawnedProcess(pid, Posix.pidfdOpen(pid), program);
        } catch (ErrnoException e) {
            // Without a pidfd we could not reap it on a loop: do not leave an unsupervised child behind.
            try {
                Posix.kill(pid, Posix.SIGKILL);
                Posix.waitpid(pid, false);
            } catch (ErrnoException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private static void check(String call, int error) throws ErrnoException {
        if (error != 0) {
            throw new ErrnoException(call, error);
        }
    }
}
