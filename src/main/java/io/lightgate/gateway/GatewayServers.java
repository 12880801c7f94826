package io.lightgate.gateway;

import io.lightgate.config.ConfigValue;
import io.lightgate.config.ValueType;
import io.lightgate.config.ValueType.TypeMismatch;
import java.util.ArrayList;
import java.util.List;

/**
 * The value of {@code <m>.server} in one config block (reference §2.2): its keys in config order, each with
 * its hosts and their runtime state. Parsed once per block by the key's {@link ValueType}; made usable by
 * {@link Gateway#configure}.
 */
public final class GatewayServers {
    private final List<Extension> extensions;
    private final List<Extension> responders;
    private final List<Extension> authorizers;
    private final List<String> warnings;

    GatewayServers(List<Extension> extensions, List<String> warnings) {
        this.extensions = List.copyOf(extensions);
        this.warnings = List.copyOf(warnings);
        this.responders = byMode(this.extensions, HostConfig.Mode.RESPONDER);
        this.authorizers = byMode(this.extensions, HostConfig.Mode.AUTHORIZER);
    }

    /** Every key with all its hosts, whatever their mode (what configure prepares). */
    public List<Extension> extensions() { return extensions; }

    /**
     * The keys as lighttpd sorts them into its two lists (gw_set_defaults_backend): each key with only its hosts of
     * {@code mode}, keys without such hosts left out. The host objects (and so their load and procs) are shared.
     */
    List<Extension> extensions(HostConfig.Mode mode) {
        return mode == HostConfig.Mode.AUTHORIZER ? authorizers : responders;
    }

    private static List<Extension> byMode(List<Extension> all, HostConfig.Mode mode) {
        List<Extension> out = new ArrayList<>(all.size());
        for (Extension e : all) {
            List<BackendHost> hosts = e.hosts().stream().filter(h -> h.config().mode() == mode).toList();
            if (hosts.size() == e.hosts().size()) {
                out.add(e);
            } else if (!hosts.isEmpty()) {
                out.add(new Extension(e.key(), hosts));
            }
        }
        return List.copyOf(out);
    }

    /** Problems lighttpd only warns about (an unknown mode), logged at configure. */
    List<String> warnings() { return warnings; }

    /**
     * The first key of {@code mode}, in config order, matching: a prefix key against {@code urlPath}, a suffix key
     * against {@code suffixPath} (the URL path, or the physical path in the subrequest stage); null when none does.
     */
    Extension match(HostConfig.Mode mode, String urlPath, String suffixPath) {
        for (Extension e : extensions(mode)) {
            if (e.matches(urlPath, suffixPath)) {
                return e;
            }
        }
        return null;
    }

    /** The key of {@code mode} named exactly {@code key} (for map-extensions), or null. */
    Extension byKey(HostConfig.Mode mode, String key) {
        for (Extension e : extensions(mode)) {
            if (e.key().equals(key)) {
                return e;
            }
        }
        return null;
    }

    /** The {@link ValueType} of {@code <moduleKey>} ("wstunnel.server"). */
    static ValueType<GatewayServers> type(String moduleKey, Gateway.Options options) {
        HostConfigParser hostParser = new HostConfigParser(moduleKey, options);
        return value -> parse(value, hostParser);
    }

    private static final String SHAPE =
            "expected ( \"key\" => ( [ \"label\" => ] ( \"option\" => value, ... ), ... ), ... )";

    private static GatewayServers parse(ConfigValue value, HostConfigParser hostParser) throws TypeMismatch {
        if (!(value instanceof ConfigValue.Arr top)) {
            throw new TypeMismatch(SHAPE + ", got " + value.typeName());
        }
        List<String> warnings = new ArrayList<>();
        List<Extension> extensions = new ArrayList<>();
        for (ConfigValue.Arr.Entry e : top.entries()) {
            if (e.key() == null) {
                throw new TypeMismatch(SHAPE + ", got an element without a key");
            }
            if (!(e.value() instanceof ConfigValue.Arr hostList)) {
                throw new TypeMismatch("key \"" + e.key() + "\": " + SHAPE + ", got " + e.value().typeName());
            }
            List<BackendHost> hosts = new ArrayList<>();
            int n = 0;
            for (ConfigValue.Arr.Entry h : hostList.entries()) {
                String where = "key \"" + e.key() + "\", host " + (h.key() != null ? "\"" + h.key() + "\"" : "#" + n);
                if (!(h.value() instanceof ConfigValue.Arr options)) {
                    // the usual mistake: options directly under the key, one level of ( ) missing
                    throw new TypeMismatch(where + ": " + SHAPE + ", got " + h.value().typeName());
                }
                try {
                    hosts.add(new BackendHost(hostParser.parse(h.key(), options, warnings::add)));
                } catch (TypeMismatch m) {
                    throw new TypeMismatch(where + ": " + m.getMessage());
                }
                n++;
            }
            extensions.add(new Extension(e.key(), hosts));
        }
        return new GatewayServers(extensions, warnings);
    }
}
