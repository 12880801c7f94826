package io.lightgate.server;

import io.lightgate.config.ConfigException;
import java.util.Locale;
import java.util.Map;

/**
 * {@code server.feature-flags}, parsed. Unknown flags are kept in {@link #raw()} for modules that own them
 * (e.g. {@code proxy.force-http10}).
 *
 * @param gracefulShutdownTimeoutSeconds 0 = wait forever (lighttpd's default is 8)
 */
public record FeatureFlags(int gracefulShutdownTimeoutSeconds, boolean h2proto, boolean h2c,
                           boolean absoluteDirRedirect, boolean upgradeWithRequestBody,
                           Map<String, String> raw) {

    public static final FeatureFlags DEFAULTS = new FeatureFlags(8, true, false, false, false, Map.of());

    public static FeatureFlags parse(Map<String, String> flags) throws ConfigException {
        return new FeatureFlags(
                integer(flags, "server.graceful-shutdown-timeout", 8),
                bool(flags, "server.h2proto", true),
                bool(flags, "server.h2c", false),
                bool(flags, "server.absolute-dir-redirect", false),
                bool(flags, "gw.upgrade-with-request-body", false),
                Map.copyOf(flags));
    }

    /** A flag's boolean value, with lighttpd's spellings. */
    public boolean flag(String name, boolean fallback) {
        try {
            return bool(raw, name, fallback);
        } catch (ConfigException e) {
            return fallback;
        }
    }

    static boolean bool(Map<String, String> flags, String name, boolean fallback) throws ConfigException {
        String v = flags.get(name);
        if (v == null) {
            return fallback;
        }
        return switch (v.strip().toLowerCase(Locale.ROOT)) {
            case "enable", "enabled", "true", "1" -> true;
            case "disable", "disabled", "false", "0" -> false;
            default -> throw new ConfigException("server.feature-flags: \"" + name
                    + "\" expects \"enable\" or \"disable\", got \"" + v + "\"");
        };
    }

    private static int integer(Map<String, String> flags, String name, int fallback) throws ConfigException {
        String v = flags.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.strip());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException("server.feature-flags: \"" + name + "\" expects a non-negative integer, got \""
                + v + "\"");
    }
}
