package io.lightgate.config;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/** A parsed config: the global block and the conditional blocks, untyped. */
public final class ConfigTree {
    private static final int MAX_VALUE_TEXT = 60;

    private final List<Block> blocks;

    ConfigTree(List<Block> blocks) {
        this.blocks = List.copyOf(blocks);
    }

    /** The raw top-level value of {@code key} (for {@code server.modules}, read before keys are known), or null. */
    public ConfigValue globalValue(String key) {
        Block.Assignment a = blocks.get(0).assignments.get(key);
        return a == null ? null : a.value();
    }

    /** Whether any block, global or conditional, assigns a key {@code which} accepts (read before keys are known). */
    public boolean assignsAnywhere(java.util.function.Predicate<String> which) {
        for (Block block : blocks) {
            for (String key : block.assignments.keySet()) {
                if (which.test(key)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@code -p}: the normalised config as lighttpd prints it. */
    public String print() {
        return Printer.print(blocks);
    }

    /**
     * Types every known key (start-up error naming key, file, line and column on a mismatch), warns
     * {@code unknown config-key: X (ignored)} once per unknown key and lighttpd's DEPRECATED warning for
     * server-scope keys inside conditions, then returns the evaluable config.
     */
    public Configuration validate(Collection<ConfigKey<?>> knownKeys, Consumer<String> warnings) throws ConfigException {
        Map<String, ConfigKey<?>> byName = new HashMap<>();
        for (ConfigKey<?> k : knownKeys) {
            byName.put(k.name(), k);
        }
        Set<String> warnedUnknown = new HashSet<>();
        Configuration.Compiled[] compiled = new Configuration.Compiled[blocks.size()];
        for (Block block : blocks) {
            Map<String, Object> typed = new HashMap<>();
            for (Block.Assignment a : block.assignments.values()) {
                String name = a.key();
                if (name.startsWith("var.") || name.startsWith("env.")) {
                    continue;
                }
                ConfigKey<?> key = byName.get(name);
                if (key == null) {
                    if (warnedUnknown.add(name)) {
                        warnings.accept("unknown config-key: " + name + " (ignored)");
                    }
                    continue;
                }
                if (!block.isGlobal() && !allowedIn(key.scope(), block)) {
                    warnings.accept("DEPRECATED: do not set server options in conditionals, variable: " + name
                            + " (" + a.file() + ":" + a.line() + ":" + a.column() + ", ignored)");
                    continue;
                }
                try {
                    Object value = key.type().convert(a.value());
                    if (value != null) {
                        typed.put(name, value);
                    }
                } catch (ValueType.TypeMismatch e) {
                    throw new ConfigException(a.file(), a.line(), a.column(),
                            name + ": value " + shortText(a.value()) + " is not valid: " + e.getMessage());
                }
            }
            compiled[block.id] = new Configuration.Compiled(block.id,
                    block.parent == null ? -1 : block.parent.id,
                    block.previous == null ? -1 : block.previous.id,
                    block.condition, Map.copyOf(typed));
        }
        return new Configuration(List.of(compiled));
    }

    private static boolean allowedIn(Scope scope, Block block) {
        return switch (scope) {
            case CONNECTION -> true;
            case SERVER -> false;
            case SOCKET -> Configuration.isListenerBlock(block.condition, block.parent);
        };
    }

    private static String shortText(ConfigValue v) {
        String s = Printer.printValue(v);
        if (v instanceof ConfigValue.Arr) {
            s = s.replaceAll("\\s*\n\\s*", " ");
        }
        return s.length() > MAX_VALUE_TEXT ? s.substring(0, MAX_VALUE_TEXT - 3) + "..." : s;
    }
}
