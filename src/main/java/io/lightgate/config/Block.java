package io.lightgate.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One block of a parsed config: the global block (id 0) or a conditional block. Ids follow config order;
 * a parent or earlier else-branch always has a smaller id than the blocks that depend on it.
 */
final class Block {
    final int id;
    final Block parent;
    /** Null for the global block and for a plain {@code else { }}. */
    final Condition condition;
    /** The previous branch of an else-chain, or null for a chain head. */
    final Block previous;
    /** The next branch of the else-chain, or null. */
    Block next;
    final Map<String, Assignment> assignments = new LinkedHashMap<>();
    /** Nested blocks in config order (chain heads and their else-branches). */
    final List<Block> children = new ArrayList<>();

    Block(int id, Block parent, Condition condition, Block previous) {
        this.id = id;
        this.parent = parent;
        this.condition = condition;
        this.previous = previous;
    }

    boolean isGlobal() {
        return parent == null;
    }

    /** How the block is named in messages and in {@code -p}'s "# end of" comment. */
    String label() {
        return condition == null ? (parent == null ? "global" : "else") : condition.text();
    }

    /** The value of {@code key} visible from this block (this block, then enclosing ones), or null. */
    Assignment lookup(String key) {
        for (Block b = this; b != null; b = b.parent) {
            Assignment a = b.assignments.get(key);
            if (a != null) {
                return a;
            }
        }
        return null;
    }

    /** A key as written, with where it was (last) set. */
    record Assignment(String key, ConfigValue value, String file, int line, int column) { }
}
