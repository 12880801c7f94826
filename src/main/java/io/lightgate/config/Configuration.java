package io.lightgate.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A validated config, ready to be evaluated per request. Values are typed once (by key name, per block);
 * evaluation only decides which blocks apply.
 */
public final class Configuration {
    private static final List<String> NO_CAPTURES = List.of();

    /** A block with its typed values; parent/previous are ids (-1: none), always smaller than the block's. */
    record Compiled(int id, int parent, int previous, Condition condition, Map<String, Object> values) { }

    private final List<Compiled> blocks;
    private final Map<String, Object> globals;
    private final RequestConfig globalOnly;
    private final List<String> listenerSockets;

    Configuration(List<Compiled> blocks) {
        this.blocks = blocks;
        this.globals = blocks.get(0).values();
        Evaluated shared = new Evaluated(new int[] {0}, NO_CAPTURES);
        // room for keys declared later (a module class loaded after the config): those just are not memoised
        shared.memo = new AtomicReferenceArray<>(ConfigKey.count() + 64);
        this.globalOnly = shared;
        Set<String> sockets = new LinkedHashSet<>();
        for (Compiled b : blocks) {
            if (b.id() != 0 && b.parent() == 0 && isListenerCondition(b.condition())) {
                sockets.add(b.condition().value());
            }
        }
        this.listenerSockets = List.copyOf(sockets);
    }

    /** {@code $SERVER["socket"] == "..."} at the top level: a block that creates a listener. */
    static boolean isListenerBlock(Condition condition, Block parent) {
        return parent != null && parent.isGlobal() && isListenerCondition(condition);
    }

    private static boolean isListenerCondition(Condition c) {
        return c != null && c.field() == Condition.Field.SERVER_SOCKET && c.operator() == Condition.Operator.EQ;
    }

    /** The top-level value of {@code key}, or its default. */
    public <T> T global(ConfigKey<T> key) {
        return valueOrDefault(globals.get(key.name()), key);
    }

    /** Whether the top level sets {@code key}. */
    public boolean isSetGlobally(ConfigKey<?> key) {
        return globals.containsKey(key.name());
    }

    /**
     * Every value {@code key} is set to, in any block (global and conditional), in config order: what a
     * module must prepare before the first request, e.g. every {@code wstunnel.server} whose children it spawns.
     * The same typed instance a request in that block later gets from {@link RequestConfig#get}.
     */
    public <T> List<T> valuesInAllBlocks(ConfigKey<T> key) {
        List<T> all = new ArrayList<>();
        for (Compiled b : blocks) {
            Object v = b.values().get(key.name());
            if (v != null) {
                @SuppressWarnings("unchecked")
                T typed = (T) v;
                all.add(typed);
            }
        }
        return all;
    }

    /** The tokens of every {@code $SERVER["socket"] == "..."} block, in config order: extra listeners. */
    public List<String> listenerSockets() {
        return listenerSockets;
    }

    /** A socket-scope value for the listener {@code socketToken}: the block's value, else the global one. */
    public <T> T forSocket(String socketToken, ConfigKey<T> key) {
        for (Compiled b : blocks) {
            if (b.parent() == 0 && isListenerCondition(b.condition()) && b.condition().value().equals(socketToken)) {
                Object v = b.values().get(key.name());
                if (v != null) {
                    return valueOrDefault(v, key);
                }
            }
        }
        return global(key);
    }

    /** The config in force for a request. Cheap when the config has no conditions. */
    public RequestConfig evaluate(RequestFacts facts) {
        int n = blocks.size();
        if (n == 1) {
            return globalOnly;
        }
        boolean[] applies = new boolean[n];
        boolean[] reached = new boolean[n];
        applies[0] = true;
        int[] applying = new int[n];
        int count = 0;
        applying[count++] = 0;
        List<String> captures = NO_CAPTURES;
        @SuppressWarnings("unchecked")
        List<String>[] matched = new List[1];
        for (int i = 1; i < n; i++) {
            Compiled b = blocks.get(i);
            // an else-branch is reached only when its parent applies and every earlier branch did not
            boolean r = b.previous() < 0 ? applies[b.parent()] : reached[b.previous()] && !applies[b.previous()];
            reached[i] = r;
            if (!r) {
                continue;
            }
            matched[0] = null;
            if (b.condition() == null || b.condition().matches(facts, matched)) {
                applies[i] = true;
                applying[count++] = i;
                if (matched[0] != null) {
                    captures = matched[0];
                }
            }
        }
        return new Evaluated(java.util.Arrays.copyOf(applying, count), captures);
    }

    @SuppressWarnings("unchecked")
    private static <T> T valueOrDefault(Object value, ConfigKey<T> key) {
        return value == null ? key.defaultValue() : (T) value;
    }

    /** The blocks in force for one request, by id in config order; the last one setting a key wins. */
    private final class Evaluated implements RequestConfig {
        private static final Object UNSET = new Object();
        private final int[] applying;
        private final List<String> captures;
        /**
         * Only on the shared instance of a config without conditions, which every request of such a config
         * reads: values by key index, so a hot request path does not hash key names again and again (an
         * array slot instead of a ConcurrentHashMap probe: ~12 reads a request made that probe ~9% of the loop).
         */
        private AtomicReferenceArray<Object> memo;

        Evaluated(int[] applying, List<String> captures) {
            this.applying = applying;
            this.captures = captures;
        }

        private Object find(String name) {
            for (int i = applying.length - 1; i >= 0; i--) {
                Object v = blocks.get(applying[i]).values().get(name);
                if (v != null) {
                    return v;
                }
            }
            return null;
        }

        @Override
        public <T> T get(ConfigKey<T> key) {
            AtomicReferenceArray<Object> m = memo;
            if (m != null && key.index < m.length()) {
                Object v = m.getAcquire(key.index);
                if (v == null) {
                    Object found = find(key.name());
                    v = found == null ? UNSET : found;
                    m.setRelease(key.index, v);
                }
                return valueOrDefault(v == UNSET ? null : v, key);
            }
            return valueOrDefault(find(key.name()), key);
        }

        @Override
        public boolean isSet(ConfigKey<?> key) {
            return find(key.name()) != null;
        }

        @Override
        public List<String> captures() {
            return captures;
        }

        @Override
        public String toString() {
            List<Integer> ids = new ArrayList<>();
            for (int id : applying) {
                ids.add(id);
            }
            return "RequestConfig" + ids;
        }
    }
}
