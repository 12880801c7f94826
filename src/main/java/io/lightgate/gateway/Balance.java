package io.lightgate.gateway;

import io.lightgate.http.Request;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** {@code <m>.balance}: how a host is picked among a key's live hosts (reference §2.4, gw_host_get). */
public enum Balance {
    /** "fair" or "least-connection": the live host with the lowest load, the first one on ties. */
    LEAST_CONNECTION,
    /** The next live host after the one used last for this key. */
    ROUND_ROBIN,
    /** Rendezvous hashing over authority + path: one URL keeps its host while that host lives. */
    HASH,
    /** Rendezvous hashing over the client's IP address. */
    STICKY;

    /** The balance named {@code text} as lighttpd spells it, or null when unknown. */
    public static Balance byName(String text) {
        return switch (text) {
            case "fair", "least-connection" -> LEAST_CONNECTION;
            case "round-robin" -> ROUND_ROBIN;
            case "hash" -> HASH;
            case "sticky" -> STICKY;
            default -> null;
        };
    }

    /** A live host of {@code ext} for {@code request}, or null when none is up. */
    BackendHost pick(Extension ext, Request request, long nowNanos) {
        List<BackendHost> hosts = ext.hosts();
        if (hosts.size() == 1) {
            BackendHost only = hosts.getFirst();
            return only.isUp(nowNanos) ? only : null;
        }
        return switch (this) {
            case LEAST_CONNECTION -> leastLoaded(hosts, nowNanos);
            case ROUND_ROBIN -> nextAfterLast(ext, nowNanos);
            case HASH -> highestHash(hosts, hash64(request.host() + request.path()), nowNanos);
            case STICKY -> highestHash(hosts, hash64(clientIp(request)), nowNanos);
        };
    }

    private static BackendHost leastLoaded(List<BackendHost> hosts, long nowNanos) {
        BackendHost best = null;
        for (BackendHost h : hosts) {
            if (h.isUp(nowNanos) && (best == null || h.load() < best.load())) {
                best = h;
            }
        }
        return best;
    }

    private static BackendHost nextAfterLast(Extension ext, long nowNanos) {
        List<BackendHost> hosts = ext.hosts();
        int n = hosts.size();
        while (true) {
            int last = ext.lastUsed.get();
            for (int step = 1; step <= n; step++) {
                int i = Math.floorMod(last + step, n);
                BackendHost h = hosts.get(i);
                if (h.isUp(nowNanos)) {
                    if (ext.lastUsed.compareAndSet(last, i)) {
                        return h;
                    }
                    break; // another loop moved the cursor: start over from its choice
                }
                if (step == n) {
                    return null;
                }
            }
        }
    }

    private static BackendHost highestHash(List<BackendHost> hosts, long key, long nowNanos) {
        BackendHost best = null;
        long bestScore = 0;
        for (BackendHost h : hosts) {
            if (!h.isUp(nowNanos)) {
                continue;
            }
            long score = mix(key ^ h.hashSeed());
            if (best == null || Long.compareUnsigned(score, bestScore) > 0) {
                best = h;
                bestScore = score;
            }
        }
        return best;
    }

    private static String clientIp(Request request) {
        return request.remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
                ? a.getAddress().getHostAddress() : "";
    }

    /** FNV-1a over the UTF-8 bytes, finished with a mixer so that similar strings spread. */
    static long hash64(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    /** The splitmix64 finaliser. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
