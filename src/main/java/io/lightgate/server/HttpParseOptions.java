package io.lightgate.server;

import io.lightgate.config.ConfigException;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code server.http-parseopts}. lightgate always parses strictly (header-strict, host-strict,
 * url-normalize, url-ctrls-reject, dot-segment removal are fixed on); of the switches only
 * {@code method-get-body} changes behaviour. Turning a fixed-on option off is warned as not supported.
 */
public record HttpParseOptions(boolean methodGetBody) {

    public static final HttpParseOptions DEFAULTS = new HttpParseOptions(false);

    private static final Set<String> ALWAYS_ON = Set.of("header-strict", "host-strict", "host-normalize",
            "url-normalize", "url-normalize-unreserved", "url-normalize-required", "url-ctrls-reject",
            "url-path-dotseg-remove");
    /** Accepted either way: the file lookup always sees %2F as '/' after decoding, as lighttpd 1.4.69 does. */
    private static final Set<String> NO_EFFECT = Set.of("url-path-2f-decode");
    private static final Set<String> ALWAYS_OFF = Set.of("url-path-2f-reject", "url-path-backslash-trans",
            "url-path-dotseg-reject", "url-query-20-plus");

    public static HttpParseOptions parse(Map<String, String> options, Consumer<String> warnings)
            throws ConfigException {
        boolean getBody = false;
        for (Map.Entry<String, String> e : options.entrySet()) {
            String name = e.getKey();
            boolean on = FeatureFlags.bool(options, name, false);
            if (NO_EFFECT.contains(name)) {
                continue;
            }
            if (name.equals("method-get-body")) {
                getBody = on;
            } else if (ALWAYS_ON.contains(name) ? !on : ALWAYS_OFF.contains(name) && on) {
                warnings.accept("server.http-parseopts \"" + name + "\" => \"" + e.getValue()
                        + "\" not supported (ignored)");
            } else if (!ALWAYS_ON.contains(name) && !ALWAYS_OFF.contains(name)) {
                warnings.accept("server.http-parseopts: unknown option \"" + name + "\" (ignored)");
            }
        }
        return new HttpParseOptions(getBody);
    }
}
