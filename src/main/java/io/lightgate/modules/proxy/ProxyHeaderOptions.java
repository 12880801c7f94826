package io.lightgate.modules.proxy;

import io.lightgate.config.ConfigValue;
import io.lightgate.config.ValueType;
import io.lightgate.config.ValueType.TypeMismatch;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The value of {@code proxy.header} (reference §4.1): boolean switches, host and URL-path maps. A flag left
 * unset is null so that {@code force-http10} can fall back to the {@code proxy.force-http10} feature flag.
 *
 * @param upgrade           pass {@code Upgrade} to the backend and relay its 101
 * @param connect           tunnel plain {@code CONNECT} to the backend
 * @param httpsRemap        rewrite {@code http://} to {@code https://} in mapped response URLs for https clients
 * @param forceHttp10       send HTTP/1.0 requests to the backend; null when not set here
 * @param mapHostRequest    client Host to backend Host ("-" key: any host; "-" value: the backend's address)
 * @param mapHostResponse   backend host to client host in response URLs ("-" key: the Host sent to the backend;
 *                          "-" value: the client's Host)
 * @param mapUrlpath        URL-path prefix, client side to backend side (reversed for responses)
 * @param respHostInclude   when non-empty, response URL paths are remapped only for these hosts
 * @param respHostExclude   response URL paths are never remapped for these hosts
 */
record ProxyHeaderOptions(boolean upgrade, boolean connect, boolean httpsRemap, Boolean forceHttp10,
                          Map<String, String> mapHostRequest, Map<String, String> mapHostResponse,
                          Map<String, String> mapUrlpath, List<String> respHostInclude,
                          List<String> respHostExclude) {

    static final ProxyHeaderOptions NONE = new ProxyHeaderOptions(false, false, false, null,
            Map.of(), Map.of(), Map.of(), List.of(), List.of());

    private static final String KEYS = "upgrade, connect, https-remap, force-http10, map-host-request, "
            + "map-host-response, map-urlpath, map-urlpath-resp-host-include, map-urlpath-resp-host-exclude";

    /** Whether any host or path mapping applies to responses. */
    boolean rewritesResponses() {
        return !mapHostResponse.isEmpty() || !mapUrlpath.isEmpty();
    }

    /** The value type of {@code proxy.header}: an unknown key or a wrong type says which and what fits. */
    static final ValueType<ProxyHeaderOptions> TYPE = ProxyHeaderOptions::parse;

    private static ProxyHeaderOptions parse(ConfigValue value) throws TypeMismatch {
        if (!(value instanceof ConfigValue.Arr arr)) {
            throw new TypeMismatch("expected ( \"key\" => value, ... ) with keys " + KEYS + ", got " + value.typeName());
        }
        boolean upgrade = false;
        boolean connect = false;
        boolean httpsRemap = false;
        Boolean forceHttp10 = null;
        Map<String, String> hostRequest = Map.of();
        Map<String, String> hostResponse = Map.of();
        Map<String, String> urlpath = Map.of();
        List<String> include = List.of();
        List<String> exclude = List.of();
        for (ConfigValue.Arr.Entry e : arr.entries()) {
            if (e.key() == null) {
                throw new TypeMismatch("expected \"key\" => value elements, got an element without a key (keys: "
                        + KEYS + ")");
            }
            String key = e.key();
            try {
                switch (key) {
                    case "upgrade" -> upgrade = ValueType.BOOL.convert(e.value());
                    case "connect" -> connect = ValueType.BOOL.convert(e.value());
                    case "https-remap" -> httpsRemap = ValueType.BOOL.convert(e.value());
                    case "force-http10" -> forceHttp10 = ValueType.BOOL.convert(e.value());
                    case "map-host-request" -> hostRequest = lowerCaseKeys(ValueType.STRING_MAP.convert(e.value()));
                    case "map-host-response" -> hostResponse = lowerCaseKeys(ValueType.STRING_MAP.convert(e.value()));
                    case "map-urlpath" -> urlpath = ValueType.STRING_MAP.convert(e.value());
                    case "map-urlpath-resp-host-include" -> include = lowerCase(ValueType.STRING_LIST.convert(e.value()));
                    case "map-urlpath-resp-host-exclude" -> exclude = lowerCase(ValueType.STRING_LIST.convert(e.value()));
                    default -> throw new TypeMismatch("unknown key \"" + key + "\"; use one of " + KEYS);
                }
            } catch (TypeMismatch m) {
                if (m.getMessage().startsWith("unknown key")) {
                    throw m;
                }
                throw new TypeMismatch("\"" + key + "\": " + m.getMessage());
            }
        }
        return new ProxyHeaderOptions(upgrade, connect, httpsRemap, forceHttp10, hostRequest, hostResponse, urlpath,
                include, exclude);
    }

    /** Host names compare case-insensitively; "-" stays "-". */
    private static Map<String, String> lowerCaseKeys(Map<String, String> in) {
        Map<String, String> out = new LinkedHashMap<>();
        in.forEach((k, v) -> out.put(k.toLowerCase(java.util.Locale.ROOT), v));
        return Collections.unmodifiableMap(out);
    }

    private static List<String> lowerCase(List<String> in) {
        return in.stream().map(s -> s.toLowerCase(java.util.Locale.ROOT)).toList();
    }
}
