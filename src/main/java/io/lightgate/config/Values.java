package io.lightgate.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** lighttpd's {@code +} and {@code +=} rules for config values (reference §9.2). */
final class Values {
    private Values() { }

    /**
     * string+string concatenates, int+int adds, string+int (either order) gives a string, array+array
     * appends (a repeated key is an error unless its value is identical, then it is kept once).
     */
    static ConfigValue merge(ConfigValue left, ConfigValue right, Token at) throws ConfigException {
        if (left instanceof ConfigValue.Int a && right instanceof ConfigValue.Int b) {
            try {
                return new ConfigValue.Int(Math.addExact(a.value(), b.value()));
            } catch (ArithmeticException e) {
                throw at.error("integer overflow adding " + a.value() + " and " + b.value());
            }
        }
        if (left instanceof ConfigValue.Arr a && right instanceof ConfigValue.Arr b) {
            Map<String, ConfigValue> keyed = new HashMap<>();
            List<ConfigValue.Arr.Entry> out = new ArrayList<>(a.entries());
            for (ConfigValue.Arr.Entry e : a.entries()) {
                if (e.key() != null) {
                    keyed.put(e.key(), e.value());
                }
            }
            for (ConfigValue.Arr.Entry e : b.entries()) {
                if (e.key() != null && keyed.containsKey(e.key())) {
                    if (keyed.get(e.key()).equals(e.value())) {
                        continue;
                    }
                    throw at.error("duplicate array key \"" + e.key() + "\" with a different value while merging arrays");
                }
                if (e.key() != null) {
                    keyed.put(e.key(), e.value());
                }
                out.add(e);
            }
            return new ConfigValue.Arr(out);
        }
        if (left instanceof ConfigValue.Arr || right instanceof ConfigValue.Arr) {
            throw at.error("data type mismatch: cannot merge " + left.typeName() + " with " + right.typeName());
        }
        return new ConfigValue.Str(scalar(left) + scalar(right));
    }

    private static String scalar(ConfigValue v) {
        return switch (v) {
            case ConfigValue.Str s -> s.value();
            case ConfigValue.Int i -> Long.toString(i.value());
            case ConfigValue.Arr a -> throw new IllegalStateException("array is not a scalar");
        };
    }
}
