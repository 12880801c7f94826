package io.lightgate.modules.alias;

import io.lightgate.config.ConfigValue;
import io.lightgate.config.ValueType;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One {@code alias.url} value: URL-path prefixes and the file-system paths they map to, in config order, typed once
 * when the config is loaded (lighttpd 1.4.69's mod_alias.c). Matching is lighttpd's: the first entry in config
 * order whose prefix starts the URL path wins, byte for byte (case-sensitive).
 */
public final class Aliases {
    /** No aliases: {@code alias.url} unset. */
    public static final Aliases NONE = new Aliases(List.of());

    /**
     * One entry: {@code prefix} (the key) and {@code target} (the value as written, maybe ending in '/'),
     * with the target parsed once.
     */
    public record Alias(String prefix, String target, Path targetPath) {
        /**
         * lighttpd's guard for a prefix that does not end in '/' whose target does ({@code "/js" =>
         * "/usr/share/javascript/"}): the URL {@code /js../x} would map to {@code /usr/share/javascript/../x}. A
         * rest starting with the segment "." or ".." is refused (403). Any other shape cannot climb: the URL path
         * is normalised, so the rest holds no dot segment, and without that slash the rest's first segment only
         * extends the target's last name.
         */
        public boolean escapes(String urlPath) {
            int at = prefix.length();
            if (at >= urlPath.length() || urlPath.charAt(at) != '.') {
                return false;
            }
            int s = at + 1;
            if (s < urlPath.length() && urlPath.charAt(s) == '.') {
                s++;
            }
            if (s < urlPath.length() && urlPath.charAt(s) != '/') {
                return false; // "/js.x", "/js..x": a name inside the target, not a dot segment
            }
            return !prefix.isEmpty() && !prefix.endsWith("/") && !target.isEmpty() && target.endsWith("/");
        }
    }

    private final Alias[] entries;

    private Aliases(List<Alias> entries) {
        this.entries = entries.toArray(new Alias[0]);
    }

    /** For tests and callers outside the config: {@code pairs} are prefix, target, prefix, target, ... */
    public static Aliases of(String... pairs) {
        List<Alias> list = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            list.add(new Alias(pairs[i], pairs[i + 1], Path.of(pairs[i + 1])));
        }
        return new Aliases(list);
    }

    public boolean isEmpty() {
        return entries.length == 0;
    }

    public List<Alias> entries() {
        return List.of(entries);
    }

    /** The first alias (config order) whose prefix starts {@code urlPath}, case-sensitive; null if none. */
    public Alias match(String urlPath) {
        for (Alias a : entries) {
            if (urlPath.startsWith(a.prefix)) {
                return a;
            }
        }
        return null;
    }

    /**
     * What lighttpd refuses at start-up: an entry whose prefix starts with the prefix of the entry right before it
     * ({@code ( "/a" => ..., "/ab" => ... )}: "/ab" never matches), as lighttpd's check_order finds it: it compares
     * each entry with the next ones only until the first that does not start with its prefix, so in effect only
     * neighbours. Null when there is none.
     */
    public String neverMatchingNeighbour() {
        for (int j = 0; j + 1 < entries.length; j++) {
            String prefix = entries[j].prefix;
            String key = entries[j + 1].prefix;
            if (key.startsWith(prefix)) {
                return "`" + key + "' will never match as `" + prefix + "' matched first";
            }
        }
        return null;
    }

    /**
     * Every entry shadowed by an earlier one, including those lighttpd lets pass because they are not neighbours
     * ({@code ( "/a" => ..., "/b" => ..., "/ab" => ... )}): lightgate warns about these.
     */
    public List<String> shadowed() {
        List<String> out = new ArrayList<>();
        for (int k = 1; k < entries.length; k++) {
            for (int j = 0; j < k; j++) {
                if (entries[k].prefix.startsWith(entries[j].prefix)) {
                    out.add("`" + entries[k].prefix + "' will never match as `" + entries[j].prefix + "' matched first");
                    break;
                }
            }
        }
        return out;
    }

    /**
     * {@code alias.url}'s type, with lighttpd's start-up checks: an array of {@code "urlpath" => "filepath"}
     * strings (no integers: lighttpd's T_CONFIG_ARRAY_KVSTRING), no two keys differing only in case (lighttpd's
     * config arrays compare keys without case), no entry that its neighbour shadows.
     */
    public static final ValueType<Aliases> TYPE = v -> {
        if (!(v instanceof ConfigValue.Arr arr)) {
            throw new ValueType.TypeMismatch("alias.url should have been a list like alias.url = ( \"...\" )");
        }
        List<Alias> list = new ArrayList<>(arr.entries().size());
        Map<String, String> seen = new HashMap<>();
        for (ConfigValue.Arr.Entry e : arr.entries()) {
            if (e.key() == null || !(e.value() instanceof ConfigValue.Str target)) {
                throw new ValueType.TypeMismatch("alias.url should have been a list of key => string values like "
                        + "alias.url = ( \"...\" => \"...\", \"...\" => \"...\" )");
            }
            if (seen.putIfAbsent(e.key().toLowerCase(Locale.ROOT), e.key()) != null) {
                throw new ValueType.TypeMismatch("duplicate array-key: " + e.key()
                        + ". Please get rid of the duplicate entry.");
            }
            try {
                list.add(new Alias(e.key(), target.value(), Path.of(target.value())));
            } catch (InvalidPathException bad) {
                throw new ValueType.TypeMismatch("alias.url: \"" + target.value() + "\" is no file-system path: "
                        + bad.getReason());
            }
        }
        Aliases aliases = new Aliases(list);
        String never = aliases.neverMatchingNeighbour();
        if (never != null) {
            throw new ValueType.TypeMismatch(never);
        }
        return aliases;
    };

    @Override
    public String toString() {
        return "Aliases" + entries();
    }
}
