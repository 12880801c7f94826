package io.lightgate.modules.mimetype;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@code mimetype.assign} table prepared for lookups, built once per config value. lighttpd's rules
 * (stat_cache_mimetype_by_ext): with fewer than 16 entries the keys are tried in config order as
 * case-insensitive suffixes of the whole path; otherwise the basename is looked up whole, then from each
 * '.' on (so the longest {@code .a.b} comes before {@code .b}), each also without its leading '.', and
 * finally the {@code ""} catch-all. Keys compare case-insensitively (lighttpd's arrays do).
 */
public final class MimeTable {
    private static final int SCAN_LIMIT = 16;

    private final List<Map.Entry<String, String>> inOrder;
    private final Map<String, String> byLowerKey;

    private MimeTable(List<Map.Entry<String, String>> inOrder, Map<String, String> byLowerKey) {
        this.inOrder = inOrder;
        this.byLowerKey = byLowerKey;
    }

    /** Builds the table; a later duplicate key replaces an earlier one, as in a lighttpd array. */
    public static MimeTable of(Map<String, String> assign) {
        Map<String, String> byLower = new HashMap<>();
        Map<String, Map.Entry<String, String>> ordered = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, String> e : assign.entrySet()) {
            String key = e.getKey().toLowerCase(Locale.ROOT);
            String type = normalise(e.getKey(), e.getValue());
            byLower.put(key, type);
            ordered.put(key, Map.entry(key, type));
        }
        return new MimeTable(List.copyOf(new ArrayList<>(ordered.values())), Map.copyOf(byLower));
    }

    /** lighttpd 1.4.71+ rewrites {@code ".js" => "application/javascript"} to the current registration. */
    private static String normalise(String key, String type) {
        if (key.equals(".js") && type.equals("application/javascript")) {
            return "text/javascript";
        }
        return type;
    }

    public int size() { return inOrder.size(); }

    /** The type for {@code path} (a file path or name), or null when nothing matches. */
    public String lookup(String path) {
        if (inOrder.size() < SCAN_LIMIT) {
            return suffixScan(path);
        }
        return basenameLookup(path);
    }

    private String suffixScan(String path) {
        int len = path.length();
        for (Map.Entry<String, String> e : inOrder) {
            String key = e.getKey();
            int klen = key.length();
            if (klen <= len && path.regionMatches(true, len - klen, key, 0, klen)) {
                return e.getValue();
            }
        }
        return null;
    }

    private String basenameLookup(String path) {
        String base = path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        String found = byLowerKey.get(base);
        if (found != null) {
            return found;
        }
        int end = base.length();
        // a leading '.' starts no suffix: ".htaccess" is only ever matched whole
        int dot = base.indexOf('.', 1);
        while (dot >= 0 && dot < end) {
            found = byLowerKey.get(base.substring(dot));
            if (found != null) {
                return found;
            }
            if (dot + 1 < end && base.charAt(dot + 1) != '.') {
                found = byLowerKey.get(base.substring(dot + 1));
                if (found != null) {
                    return found;
                }
            }
            dot = base.indexOf('.', dot + 1);
        }
        return byLowerKey.get("");
    }
}
