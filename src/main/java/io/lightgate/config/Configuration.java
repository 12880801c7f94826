package io.lightgate.config;

import java.util.List;

/**
 * A validated config, ready to be evaluated per request. CONTRACT (implemented by the config work):
 * signatures are fixed, bodies are filled in.
 */
public final class Configuration {

    /** The top-level value of {@code key}, or its default. */
    public <T> T global(ConfigKey<T> key) {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** Whether the top level sets {@code key}. */
    public boolean isSetGlobally(ConfigKey<?> key) {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** The tokens of every {@code $SERVER["socket"] == "..."} block, in config order: extra listeners. */
    public List<String> listenerSockets() {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** A socket-scope value for the listener {@code socketToken}: the block's value, else the global one. */
    public <T> T forSocket(String socketToken, ConfigKey<T> key) {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** The config in force for a request. Cheap when the config has no conditions. */
    public RequestConfig evaluate(RequestFacts facts) {
        throw new UnsupportedOperationException("not yet implemented");
    }
}
