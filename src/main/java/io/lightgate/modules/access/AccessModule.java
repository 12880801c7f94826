package io.lightgate.modules.access;

import io.lightgate.config.ConfigKey;
import io.lightgate.config.ConfigValue;
import io.lightgate.config.RequestConfig;
import io.lightgate.config.Scope;
import io.lightgate.config.ValueType;
import io.lightgate.http.Exchange;
import io.lightgate.http.Module;
import io.lightgate.http.PhysicalPath;
import java.util.List;

/**
 * mod_access: {@code url.access-deny} and {@code url.access-allow}, lists of suffixes matched against the
 * URL path (decoded and normalised). A non-empty allow list decides alone: a path that ends in none of its
 * suffixes gets 403, and the deny list is not consulted. Otherwise a path that ends in a deny suffix gets 403;
 * the empty suffix matches every path, so {@code url.access-deny = ( "" )} denies all. As in lighttpd the check
 * runs twice: at uri-clean, and at subrequest-start on the path as the core left it: without PATH_INFO (so
 * {@code /a.inc/} is denied by {@code ".inc"} although the URL ends in '/'), and with the index file mod_indexfile
 * chose (so {@code /dir/} whose index is {@code index.inc} is denied too).
 */
public final class AccessModule implements Module {

    /** lighttpd requires a plain list ("expected list of \"suffix\""): a {@code key => value} entry is an error. */
    static final ValueType<List<String>> SUFFIX_LIST = v -> {
        if (v instanceof ConfigValue.Arr a) {
            for (ConfigValue.Arr.Entry e : a.entries()) {
                if (e.key() != null) {
                    throw new ValueType.TypeMismatch("expected a list of \"suffix\" strings, got the entry \""
                            + e.key() + "\" => ...; write the suffixes without keys");
                }
            }
        }
        return ValueType.STRING_LIST.convert(v);
    };

    public static final ConfigKey<List<String>> DENY =
            ConfigKey.of("url.access-deny", Scope.CONNECTION, SUFFIX_LIST, List.of());
    public static final ConfigKey<List<String>> ALLOW =
            ConfigKey.of("url.access-allow", Scope.CONNECTION, SUFFIX_LIST, List.of());

    public AccessModule() { }

    @Override public String name() { return "mod_access"; }

    @Override public List<ConfigKey<?>> configKeys() { return List.of(DENY, ALLOW); }

    @Override
    public Hook uriClean(Exchange exchange) {
        return check(exchange, exchange.request().path());
    }

    @Override
    public Hook subrequestStart(Exchange exchange) {
        return check(exchange, resolvedPath(exchange));
    }

    private static Hook check(Exchange exchange, String urlPath) {
        if (urlPath.isEmpty() || allowed(exchange.config(), urlPath)) {
            return Hook.GO_ON;
        }
        exchange.respondError(403);
        return Hook.HANDLED;
    }

    /** lighttpd's rule: the allow list, when not empty, decides alone; then the deny list. */
    static boolean allowed(RequestConfig config, String urlPath) {
        List<String> allow = config.get(ALLOW);
        if (!allow.isEmpty()) {
            return endsWithAny(urlPath, allow);
        }
        List<String> deny = config.get(DENY);
        return deny.isEmpty() || !endsWithAny(urlPath, deny);
    }

    private static boolean endsWithAny(String path, List<String> suffixes) {
        for (String suffix : suffixes) {
            if (path.endsWith(suffix)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The URL path as lighttpd holds it at subrequest-start, PATH_INFO cut off and the index file mod_indexfile
     * chose appended: what the physical path answers to.
     */
    static String resolvedPath(Exchange exchange) {
        PhysicalPath physical = exchange.physical();
        return physical == null ? exchange.request().path() : physical.urlPath();
    }
}
