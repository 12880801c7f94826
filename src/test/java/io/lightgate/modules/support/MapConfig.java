package io.lightgate.modules.support;

import io.lightgate.config.ConfigKey;
import io.lightgate.config.ConfigValue;
import io.lightgate.config.RequestConfig;
import io.lightgate.config.ValueType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A RequestConfig from plain values, typed through each key's ValueType as the real loader does. */
public final class MapConfig implements RequestConfig {
    private final Map<ConfigKey<?>, Object> values = new HashMap<>();

    public <T> MapConfig set(ConfigKey<T> key, T value) {
        values.put(key, value);
        return this;
    }

    /** Sets {@code key} from a raw config value, converting it with the key's type. */
    public MapConfig setRaw(ConfigKey<?> key, ConfigValue raw) {
        try {
            values.put(key, key.type().convert(raw));
        } catch (ValueType.TypeMismatch e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return this;
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T> T get(ConfigKey<T> key) {
        return values.containsKey(key) ? (T) values.get(key) : key.defaultValue();
    }

    @Override
    public boolean isSet(ConfigKey<?> key) { return values.containsKey(key); }

    @Override
    public List<String> captures() { return List.of(); }
}
