package io.lightgate.config;

import java.util.Collection;
import java.util.function.Consumer;

/**
 * A parsed config: the global block and the conditional blocks, untyped. CONTRACT (implemented by the
 * config work): signatures are fixed, bodies are filled in.
 */
public final class ConfigTree {

    /** The raw top-level value of {@code key} (for {@code server.modules}, read before keys are known), or null. */
    public ConfigValue globalValue(String key) {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** {@code -p}: the normalised config as lighttpd prints it. */
    public String print() {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /**
     * Types every known key (start-up error naming key, file, line and column on a mismatch), warns
     * {@code unknown config-key: X (ignored)} once per unknown key and lighttpd's DEPRECATED warning for
     * server-scope keys inside conditions, then returns the evaluable config.
     */
    public Configuration validate(Collection<ConfigKey<?>> knownKeys, Consumer<String> warnings) throws ConfigException {
        throw new UnsupportedOperationException("not yet implemented");
    }
}
