package io.lightgate.modules.wstunnel;

import java.util.List;

/**
 * {@code wstunnel.origins} matching. lighttpd's rule: the Origin equals an entry, or ends with "." + entry
 * (entry {@code example.com} allows {@code http://www.example.com}, not {@code http://example.com}). Added: an
 * entry with a scheme ({@code http://example.com}) allows exactly that origin, which the suffix rule alone
 * cannot express. Case-sensitive, as lighttpd.
 */
final class OriginRule {
    private OriginRule() { }

    static boolean allows(List<String> entries, String origin) {
        for (String entry : entries) {
            if (origin.equals(entry)) {
                return true;
            }
            if (!entry.contains("://") && origin.length() > entry.length() + 1 && origin.endsWith(entry)
                    && origin.charAt(origin.length() - entry.length() - 1) == '.') {
                return true;
            }
        }
        return false;
    }
}
