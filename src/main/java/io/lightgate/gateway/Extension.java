package io.lightgate.gateway;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One key of {@code <m>.server} ("/prefix", ".suffix" or "") and its load-balanced hosts, with the
 * per-key state lighttpd keeps: the round-robin cursor and whether "all down" was logged.
 */
public final class Extension {
    private final String key;
    private final boolean prefix;
    private final List<BackendHost> hosts;
    /** The index of the host round-robin used last (lighttpd's last_used_ndx). */
    final AtomicInteger lastUsed = new AtomicInteger(-1);
    /** Set when "all handlers are down" was logged; cleared when a host is picked again. */
    final AtomicBoolean downLogged = new AtomicBoolean();

    Extension(String key, List<BackendHost> hosts) {
        this.key = key;
        this.prefix = key.startsWith("/");
        this.hosts = List.copyOf(hosts);
    }

    /** The key as written in the config. */
    public String key() { return key; }

    public List<BackendHost> hosts() { return hosts; }

    /** Whether the key starts with '/': a prefix of the URL path, else a suffix. */
    public boolean isPrefix() { return prefix; }

    /**
     * A key starting with '/' matches a prefix of the URL path; any other key (even "") a suffix of
     * {@code suffixPath}, which is the URL path or, in the subrequest stage, the physical path (gw_check_extension).
     */
    boolean matches(String urlPath, String suffixPath) {
        return prefix ? urlPath.startsWith(key) : suffixPath.endsWith(key);
    }

    boolean anyHostUp(long nowNanos) {
        for (BackendHost h : hosts) {
            if (h.isUp(nowNanos)) {
                return true;
            }
        }
        return false;
    }
}
