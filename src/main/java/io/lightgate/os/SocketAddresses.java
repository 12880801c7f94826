package io.lightgate.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Encodes JDK socket addresses as Linux sockaddr_un / sockaddr_in / sockaddr_in6 and back. */
final class SocketAddresses {
    private SocketAddresses() { }

    /** sun_path is 108 bytes; we keep the terminating NUL, as lighttpd does. */
    static final int MAX_UNIX_PATH_BYTES = 107;
    private static final int SOCKADDR_UN_SIZE = 2 + 108;
    private static final int SOCKADDR_IN_SIZE = 16;
    private static final int SOCKADDR_IN6_SIZE = 28;
    /** Large enough for any of the three. */
    static final int SOCKADDR_STORAGE_SIZE = 128;

    private static final ValueLayout.OfShort PORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort FAMILY = ValueLayout.JAVA_SHORT_UNALIGNED;

    /** The file-name encoding the JDK uses for paths, so our sockaddr_un names the same file as {@code Files}. */
    static final Charset PATH_CHARSET = pathCharset();

    private static Charset pathCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (IllegalArgumentException e) {
            return StandardCharsets.UTF_8;
        }
    }

    static int family(SocketAddress address) {
        return switch (address) {
            case UnixDomainSocketAddress _ -> Posix.AF_UNIX;
            case InetSocketAddress inet when inet.getAddress() instanceof Inet6Address -> Posix.AF_INET6;
            case InetSocketAddress _ -> Posix.AF_INET;
            default -> throw new IllegalArgumentException("unsupported address type " + address.getClass());
        };
    }

    static MemorySegment encode(SocketAddress address, Arena arena) throws IOException {
        return switch (address) {
            case UnixDomainSocketAddress unix -> encodeUnix(unix.getPath(), arena);
            case InetSocketAddress inet -> encodeInet(inet, arena);
            default -> throw new IllegalArgumentException("unsupported address type " + address.getClass());
        };
    }

    private static MemorySegment encodeUnix(Path path, Arena arena) throws IOException {
        byte[] bytes = path.toString().getBytes(PATH_CHARSET);
        if (bytes.length == 0) {
            throw new IOException("unix socket path is empty");
        }
        if (bytes.length > MAX_UNIX_PATH_BYTES) {
            throw new IOException("unix socket path too long (" + bytes.length + " bytes, at most "
                    + MAX_UNIX_PATH_BYTES + "): " + path);
        }
        for (byte b : bytes) {
            if (b == 0) {
                throw new IOException("unix socket path contains a NUL byte: " + path);
            }
        }
        MemorySegment sockaddr = arena.allocate(SOCKADDR_UN_SIZE, 2);
        sockaddr.set(FAMILY, 0, (short) Posix.AF_UNIX);
        MemorySegment.copy(bytes, 0, sockaddr, ValueLayout.JAVA_BYTE, 2, bytes.length);
        return sockaddr;
    }

    private static MemorySegment encodeInet(InetSocketAddress inet, Arena arena) throws IOException {
        if (inet.isUnresolved()) {
            throw new UnknownHostException("unresolved address " + inet.getHostString());
        }
        byte[] ip = inet.getAddress().getAddress();
        MemorySegment sockaddr;
        if (inet.getAddress() instanceof Inet6Address v6) {
            sockaddr = arena.allocate(SOCKADDR_IN6_SIZE, 4);
            sockaddr.set(FAMILY, 0, (short) Posix.AF_INET6);
            MemorySegment.copy(ip, 0, sockaddr, ValueLayout.JAVA_BYTE, 8, 16);
            sockaddr.set(ValueLayout.JAVA_INT, 24, v6.getScopeId());
        } else {
            sockaddr = arena.allocate(SOCKADDR_IN_SIZE, 4);
            sockaddr.set(FAMILY, 0, (short) Posix.AF_INET);
            MemorySegment.copy(ip, 0, sockaddr, ValueLayout.JAVA_BYTE, 4, 4);
        }
        sockaddr.set(PORT, 2, (short) inet.getPort());
        return sockaddr;
    }

    /** Decodes what getsockname wrote ({@code length} bytes are valid). */
    static SocketAddress decode(MemorySegment sockaddr, int length) throws IOException {
        int family = sockaddr.get(FAMILY, 0);
        switch (family) {
            case Posix.AF_UNIX -> {
                int pathBytes = Math.max(0, Math.min(length, SOCKADDR_UN_SIZE) - 2);
                byte[] bytes = sockaddr.asSlice(2, pathBytes).toArray(ValueLayout.JAVA_BYTE);
                int end = 0;
                while (end < bytes.length && bytes[end] != 0) {
                    end++;
                }
                return UnixDomainSocketAddress.of(new String(bytes, 0, end, PATH_CHARSET));
            }
            case Posix.AF_INET -> {
                byte[] ip = sockaddr.asSlice(4, 4).toArray(ValueLayout.JAVA_BYTE);
                return new InetSocketAddress(InetAddress.getByAddress(ip), Short.toUnsignedInt(sockaddr.get(PORT, 2)));
            }
            case Posix.AF_INET6 -> {
                byte[] ip = sockaddr.asSlice(8, 16).toArray(ValueLayout.JAVA_BYTE);
                int scope = sockaddr.get(ValueLayout.JAVA_INT, 24);
                return new InetSocketAddress(Inet6Address.getByAddress(null, ip, scope),
                        Short.toUnsignedInt(sockaddr.get(PORT, 2)));
            }
            default -> throw new IOException("unexpected socket address family " + family);
        }
    }

    /** How an address appears in messages: a path, host:port or [v6]:port. */
    static String show(SocketAddress address) {
        return switch (address) {
            case UnixDomainSocketAddress unix -> unix.getPath().toString();
            case InetSocketAddress inet when inet.getAddress() instanceof Inet6Address v6 ->
                    "[" + v6.getHostAddress() + "]:" + inet.getPort();
            case InetSocketAddress inet -> inet.getHostString() + ":" + inet.getPort();
            default -> address.toString();
        };
    }
}
