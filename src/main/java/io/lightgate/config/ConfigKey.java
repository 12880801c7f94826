package io.lightgate.config;

import java.util.Objects;

/**
 * A known config key: its name, where it may be set, how its value is typed, and its default. Each
 * module declares its own keys (a module owns its keys; {@code wstunnel.*} is read only in
 * modules/wstunnel) and reads them from a {@link RequestConfig} or the global config.
 */
public final class ConfigKey<T> {
    private static final java.util.concurrent.atomic.AtomicInteger COUNT = new java.util.concurrent.atomic.AtomicInteger();

    /** A small dense number per key, so a config can memoise values in an array instead of a hash map. */
    final int index = COUNT.getAndIncrement();
    private final String name;
    private final Scope scope;
    private final ValueType<T> type;
    private final T defaultValue;

    private ConfigKey(String name, Scope scope, ValueType<T> type, T defaultValue) {
        this.name = Objects.requireNonNull(name);
        this.scope = Objects.requireNonNull(scope);
        this.type = Objects.requireNonNull(type);
        this.defaultValue = defaultValue;
    }

    public static <T> ConfigKey<T> of(String name, Scope scope, ValueType<T> type, T defaultValue) {
        return new ConfigKey<>(name, scope, type, defaultValue);
    }

    public String name() { return name; }
    public Scope scope() { return scope; }
    public ValueType<T> type() { return type; }
    /** May be null: "unset". */
    public T defaultValue() { return defaultValue; }

    /** How many keys exist so far (an upper bound of every {@code index} yet handed out). */
    static int count() { return COUNT.get(); }

    @Override public String toString() { return name; }
}
