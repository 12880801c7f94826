package io.lightgate.gateway.spawn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The environment of a bin-path child, built as lighttpd builds it: our environment (all of it, or only the
 * {@code bin-copy-environment} names that are set), then {@code bin-environment} on top, then
 * {@code PHP_FCGI_CHILDREN=1} unless already present.
 */
final class ChildEnvironment {
    private ChildEnvironment() { }

    static Map<String, String> build(Map<String, String> ours, List<String> binCopyEnvironment,
                                     Map<String, String> binEnvironment) {
        Map<String, String> env = new LinkedHashMap<>();
        if (binCopyEnvironment == null || binCopyEnvironment.isEmpty()) {
            env.putAll(ours);
        } else {
            for (String name : binCopyEnvironment) {
                String value = ours.get(name);
                if (value != null) {
                    env.put(name, value);
                }
            }
        }
        env.putAll(binEnvironment);
        // PHP's FastCGI SAPI forks this many workers per listening socket; lighttpd wants one per proc.
        env.putIfAbsent("PHP_FCGI_CHILDREN", "1");
        return env;
    }
}
