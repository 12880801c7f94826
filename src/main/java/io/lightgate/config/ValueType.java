package io.lightgate.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Converts a parsed {@link ConfigValue} into the typed value a module reads, with lighttpd's rules
 * (configfile-glue.c: config_insert_values_internal, config_plugin_value_to_bool). A mismatch throws
 * {@link TypeMismatch}; the loader turns it into a start-up error that names the key and its position.
 */
@FunctionalInterface
public interface ValueType<T> {

    T convert(ConfigValue value) throws TypeMismatch;

    /** The reason a value does not fit its key's type ("expected ... got ..."). */
    final class TypeMismatch extends Exception {
        private static final long serialVersionUID = 1L;
        public TypeMismatch(String message) { super(message, null, false, false); }
    }

    ValueType<String> STRING = v -> switch (v) {
        case ConfigValue.Str s -> s.value();
        // lighttpd accepts an integer where a string is expected ("port" => 8081 and "8081" both work).
        case ConfigValue.Int i -> Long.toString(i.value());
        default -> throw new TypeMismatch("expected a string, got " + v.typeName());
    };

    /** A non-negative integer; a string of digits is accepted as lighttpd does ("port" => "8081"). */
    ValueType<Long> INTEGER = v -> switch (v) {
        case ConfigValue.Int i -> i.value();
        case ConfigValue.Str s -> {
            String t = s.value().strip();
            if (t.isEmpty() || !t.chars().allMatch(Character::isDigit)) {
                throw new TypeMismatch("expected an integer, got string \"" + s.value() + "\"");
            }
            try {
                yield Long.parseLong(t);
            } catch (NumberFormatException e) {
                throw new TypeMismatch("integer out of range: " + s.value());
            }
        }
        default -> throw new TypeMismatch("expected an integer, got " + v.typeName());
    };

    /** An unsigned 16-bit value (lighttpd's T_CONFIG_SHORT): ports, counts, seconds. */
    ValueType<Integer> SHORT = range(0, 65535);

    /** An unsigned int (lighttpd's T_CONFIG_INT). */
    ValueType<Integer> INT = range(0, Integer.MAX_VALUE);

    /** "enable"/"enabled"/"true"/"1" and "disable"/"disabled"/"false"/"0", any case, or an integer. */
    ValueType<Boolean> BOOL = v -> switch (v) {
        case ConfigValue.Int i -> i.value() != 0;
        case ConfigValue.Str s -> switch (s.value().toLowerCase(Locale.ROOT)) {
            case "enable", "enabled", "true", "1" -> true;
            case "disable", "disabled", "false", "0" -> false;
            default -> throw new TypeMismatch("expected \"enable\" or \"disable\", got \"" + s.value() + "\"");
        };
        default -> throw new TypeMismatch("expected \"enable\" or \"disable\", got " + v.typeName());
    };

    /** An array of strings without keys; a single string is taken as a one-element list, as lighttpd does. */
    ValueType<List<String>> STRING_LIST = v -> switch (v) {
        case ConfigValue.Str s -> List.of(s.value());
        case ConfigValue.Arr a -> {
            List<String> out = new ArrayList<>(a.entries().size());
            for (ConfigValue.Arr.Entry e : a.entries()) {
                if (!(e.value() instanceof ConfigValue.Str s)) {
                    throw new TypeMismatch("expected an array of strings, got an element of type " + e.value().typeName());
                }
                out.add(s.value());
            }
            yield List.copyOf(out);
        }
        default -> throw new TypeMismatch("expected an array of strings, got " + v.typeName());
    };

    /** An array of {@code "key" => "value"} string pairs, in config order. */
    ValueType<Map<String, String>> STRING_MAP = v -> {
        if (!(v instanceof ConfigValue.Arr a)) {
            throw new TypeMismatch("expected an array of \"key\" => \"value\", got " + v.typeName());
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (ConfigValue.Arr.Entry e : a.entries()) {
            if (e.key() == null) {
                throw new TypeMismatch("expected \"key\" => \"value\" elements, got an element without a key");
            }
            out.put(e.key(), STRING.convert(e.value()));
        }
        return java.util.Collections.unmodifiableMap(out);
    };

    /** The array as written, for nested structures a module parses itself ({@code <m>.server}). */
    ValueType<ConfigValue.Arr> ARRAY = v -> {
        if (v instanceof ConfigValue.Arr a) {
            return a;
        }
        throw new TypeMismatch("expected an array, got " + v.typeName());
    };

    static ValueType<Integer> range(int min, int max) {
        return v -> {
            long n = INTEGER.convert(v);
            if (n < min || n > max) {
                throw new TypeMismatch("value " + n + " out of range " + min + ".." + max);
            }
            return (int) n;
        };
    }
}
