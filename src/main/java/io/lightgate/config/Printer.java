package io.lightgate.config;

import java.util.List;

/**
 * {@code -p}: prints a parsed config in lighttpd 1.4.69's normalised layout (keys aligned per block, blocks
 * numbered with "# block N" and closed with "# end of ...", short plain arrays on one line).
 */
final class Printer {
    private static final int ONE_LINE_MAX = 5;

    private final StringBuilder out = new StringBuilder();

    static String print(List<Block> blocks) {
        Printer p = new Printer();
        p.out.append("config {\n");
        p.body(blocks.get(0), 0);
        p.out.append("}\n");
        return p.out.toString();
    }

    /** One value in -p form (arrays over several lines). */
    static String printValue(ConfigValue v) {
        Printer p = new Printer();
        p.value(v, 0);
        return p.out.toString();
    }

    /** A string literal's content: the language's only escape is \" . */
    static String escape(String s) {
        return s.indexOf('"') < 0 ? s : s.replace("\"", "\\\"");
    }

    private void indent(int depth) {
        out.repeat("    ", depth);
    }

    private void body(Block block, int depth) {
        int inner = depth + 1;
        int width = 0;
        for (String key : block.assignments.keySet()) {
            width = Math.max(width, key.length());
        }
        for (Block.Assignment a : block.assignments.values()) {
            indent(inner);
            out.append(a.key()).repeat(" ", width - a.key().length()).append(" = ");
            value(a.value(), inner);
            out.append('\n');
        }
        out.append('\n');
        for (Block child : block.children) {
            if (child.previous == null) {
                out.append('\n');
                indent(inner);
                chain(child, inner);
            }
        }
    }

    private void chain(Block block, int depth) {
        for (Block b = block; b != null; b = b.next) {
            if (b != block) {
                indent(depth);
                out.append("else ");
            }
            out.append(b.condition == null ? "{" : b.condition.text() + " {").append('\n');
            indent(depth + 1);
            out.append("# block ").append(b.id).append('\n');
            body(b, depth);
            indent(depth);
            out.append("} # end of ").append(b.label()).append('\n');
        }
    }

    private void value(ConfigValue v, int depth) {
        switch (v) {
            case ConfigValue.Str s -> out.append('"').append(escape(s.value())).append('"');
            case ConfigValue.Int i -> out.append(i.value());
            case ConfigValue.Arr a -> array(a, depth);
        }
    }

    private void array(ConfigValue.Arr a, int depth) {
        List<ConfigValue.Arr.Entry> entries = a.entries();
        if (isOneLine(entries)) {
            out.append('(');
            for (int i = 0; i < entries.size(); i++) {
                if (i > 0) {
                    out.append(", ");
                }
                value(entries.get(i).value(), depth + 1);
            }
            out.append(')');
            return;
        }
        int width = 0;
        for (ConfigValue.Arr.Entry e : entries) {
            if (e.key() != null) {
                width = Math.max(width, escape(e.key()).length());
            }
        }
        out.append("(\n");
        for (ConfigValue.Arr.Entry e : entries) {
            indent(depth + 1);
            if (e.key() != null) {
                String key = escape(e.key());
                out.append('"').append(key).append('"').repeat(" ", width - key.length()).append(" => ");
            }
            value(e.value(), depth + 1);
            out.append(",\n");
        }
        indent(depth);
        out.append(')');
    }

    private static boolean isOneLine(List<ConfigValue.Arr.Entry> entries) {
        if (entries.size() > ONE_LINE_MAX) {
            return false;
        }
        for (ConfigValue.Arr.Entry e : entries) {
            if (e.key() != null || e.value() instanceof ConfigValue.Arr) {
                return false;
            }
        }
        return true;
    }
}
