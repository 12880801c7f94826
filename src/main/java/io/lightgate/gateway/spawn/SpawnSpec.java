package io.lightgate.gateway.spawn;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How to start one bin-path proc: the program and its arguments, its environment options, the address its
 * listening socket (fd 0) is bound to, the listen backlog and the signal that stops it.
 *
 * @param program            the executable (not searched in PATH); its directory becomes the child's cwd
 * @param argv               the arguments, argv[0] first
 * @param binEnvironment     {@code bin-environment}: added to the child's environment, overriding
 * @param binCopyEnvironment {@code bin-copy-environment}: the only variables taken from our environment; null
 *                           or empty (as lighttpd) means all of it
 * @param address            this proc's address: a {@link UnixDomainSocketAddress} or a resolved
 *                           {@link InetSocketAddress} (see {@link #procAddress})
 * @param listenBacklog      {@code listen-backlog}
 * @param killSignal         {@code kill-signal}
 */
public record SpawnSpec(Path program, List<String> argv, Map<String, String> binEnvironment,
                        List<String> binCopyEnvironment, SocketAddress address, int listenBacklog, int killSignal) {

    /** lighttpd's default {@code listen-backlog}: max(SOMAXCONN, 1024); Linux' SOMAXCONN is 4096 since 5.4. */
    public static final int DEFAULT_LISTEN_BACKLOG = 1024;

    public SpawnSpec {
        if (program == null || program.toString().isEmpty()) {
            throw new IllegalArgumentException("program is required");
        }
        argv = List.copyOf(argv);
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("argv needs at least argv[0]");
        }
        binEnvironment = Collections.unmodifiableMap(new LinkedHashMap<>(binEnvironment));
        binCopyEnvironment = binCopyEnvironment == null ? null : List.copyOf(binCopyEnvironment);
        if (!(address instanceof UnixDomainSocketAddress || address instanceof InetSocketAddress)) {
            throw new IllegalArgumentException("address must be a unix socket path or a TCP address: " + address);
        }
        if (address instanceof InetSocketAddress inet && inet.isUnresolved()) {
            throw new IllegalArgumentException("TCP address must be resolved: " + inet);
        }
        if (listenBacklog <= 0) {
            throw new IllegalArgumentException("listen backlog must be positive, was " + listenBacklog);
        }
        if (killSignal <= 0 || killSignal > 64) {
            throw new IllegalArgumentException("not a signal number: " + killSignal);
        }
    }

    /**
     * A spec from a {@code bin-path} value as lighttpd reads it: split on spaces and tabs (no quoting), the first
     * word is the program.
     */
    public static SpawnSpec forBinPath(String binPath, Map<String, String> binEnvironment,
                                       List<String> binCopyEnvironment, SocketAddress address, int listenBacklog,
                                       int killSignal) {
        List<String> argv = splitBinPath(binPath);
        return new SpawnSpec(Path.of(argv.getFirst()), argv, binEnvironment, binCopyEnvironment, address,
                listenBacklog, killSignal);
    }

    /** {@code bin-path} split on runs of spaces and tabs, as lighttpd does (no quoting or escapes). */
    public static List<String> splitBinPath(String binPath) {
        List<String> words = new ArrayList<>();
        for (String word : binPath.split("[ \t]+")) {
            if (!word.isEmpty()) {
                words.add(word);
            }
        }
        if (words.isEmpty()) {
            throw new IllegalArgumentException("bin-path is empty");
        }
        return words;
    }

    /**
     * The address of proc {@code proc} of a host: {@code <socket>-<proc>} for a unix socket, {@code port + proc}
     * for TCP (lighttpd's naming).
     */
    public static SocketAddress procAddress(SocketAddress hostAddress, int proc) {
        return switch (hostAddress) {
            case UnixDomainSocketAddress unix -> UnixDomainSocketAddress.of(unix.getPath() + "-" + proc);
            case InetSocketAddress inet -> {
                int port = inet.getPort() + proc;
                if (port > 65535) {
                    throw new IllegalArgumentException("port " + inet.getPort() + " + proc " + proc + " exceeds 65535");
                }
                yield new InetSocketAddress(inet.getAddress(), port);
            }
            default -> throw new IllegalArgumentException("unsupported address " + hostAddress);
        };
    }

    /** The command line as configured, for log messages. */
    public String binPath() {
        return String.join(" ", argv);
    }

    /** The address as lighttpd shows it: the unix path, or host:port. */
    public String shownAddress() {
        return show(address);
    }

    static String show(SocketAddress address) {
        return switch (address) {
            case UnixDomainSocketAddress unix -> unix.getPath().toString();
            case InetSocketAddress inet -> (inet.getAddress() instanceof java.net.Inet6Address
                    ? "[" + inet.getAddress().getHostAddress() + "]" : inet.getAddress().getHostAddress())
                    + ":" + inet.getPort();
            default -> String.valueOf(address);
        };
    }
}
