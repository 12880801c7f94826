package io.lightgate.config;

import java.util.List;

/**
 * A value of lighttpd's config language: a string, an integer or an array. lighttpd has no boolean
 * type; "enable"/"disable" strings and integers are turned into booleans by {@link ValueType#BOOL}.
 */
public sealed interface ConfigValue permits ConfigValue.Str, ConfigValue.Int, ConfigValue.Arr {

    /** The type name used in error messages ("string", "integer", "array"). */
    String typeName();

    record Str(String value) implements ConfigValue {
        public String typeName() { return "string"; }
    }

    record Int(long value) implements ConfigValue {
        public String typeName() { return "integer"; }
    }

    /** An array; elements keep config order. A keyed element ({@code "k" => v}) has a non-null key. */
    record Arr(List<Entry> entries) implements ConfigValue {
        public Arr { entries = List.copyOf(entries); }
        public String typeName() { return "array"; }

        public record Entry(String key, ConfigValue value) { }
    }
}
