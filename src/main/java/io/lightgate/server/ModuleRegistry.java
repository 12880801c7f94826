package io.lightgate.server;

import io.lightgate.config.ConfigException;
import io.lightgate.config.ConfigTree;
import io.lightgate.config.ConfigValue;
import io.lightgate.config.ValueType;
import io.lightgate.http.Module;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Module names ({@code server.modules}) to factories, and lighttpd's rules for the final module list
 * (reference §10): mod_indexfile prepended when {@code index-file.names} is set, mod_dirlisting inserted before
 * mod_staticfile when a block sets a {@code dir-listing.*} key (or {@code server.dir-listing}), mod_staticfile appended
 * last unless listed, duplicates warned, request handlers listed after mod_staticfile warned, an unknown
 * name is a start-up error.
 */
public final class ModuleRegistry {
    static final String STATICFILE = "mod_staticfile";
    static final String INDEXFILE = "mod_indexfile";
    static final String DIRLISTING = "mod_dirlisting";

    /** Modules that claim requests: lighttpd warns when one comes after mod_staticfile. */
    private static final Set<String> REQUEST_HANDLERS = Set.of("mod_wstunnel", "mod_proxy", "mod_cgi", "mod_scgi",
            "mod_fastcgi", "mod_status", "mod_indexfile");

    private final Map<String, Supplier<? extends Module>> factories = new LinkedHashMap<>();

    /** The modules lightgate ships. Add each new built-in module here. */
    public static ModuleRegistry builtIn() {
        return new ModuleRegistry()
                .register(STATICFILE, io.lightgate.modules.staticfile.StaticFileModule::new)
                .register(INDEXFILE, io.lightgate.modules.indexfile.IndexFileModule::new)
                .register("mod_access", io.lightgate.modules.access.AccessModule::new)
                .register("mod_accesslog", io.lightgate.modules.accesslog.AccessLogModule::new)
                .register("mod_alias", io.lightgate.modules.alias.AliasModule::new)
                .register("mod_redirect", io.lightgate.modules.redirect.RedirectModule::new)
                .register("mod_wstunnel", io.lightgate.modules.wstunnel.WsTunnelModule::new)
                .register("mod_proxy", io.lightgate.modules.proxy.ProxyModule::new)
                .register("mod_cgi", io.lightgate.modules.cgi.CgiModule::new)
                .register("mod_scgi", io.lightgate.modules.scgi.ScgiModule::new)
                .register("mod_fastcgi", io.lightgate.modules.fastcgi.FastCgiModule::new)
                .register(DIRLISTING, io.lightgate.modules.dirlisting.DirListingModule::new);
    }

    /** Adds (or replaces) a module factory; returns this registry. */
    public ModuleRegistry register(String name, Supplier<? extends Module> factory) {
        factories.put(name, factory);
        return this;
    }

    public boolean knows(String name) {
        return factories.containsKey(name);
    }

    /** The module names in hook order after lighttpd's rules; warnings go to {@code warnings}. */
    public List<String> moduleNames(ConfigTree tree, Consumer<String> warnings) throws ConfigException {
        List<String> listed = stringList(tree.globalValue("server.modules"), "server.modules");
        Set<String> names = new LinkedHashSet<>();
        for (String name : listed) {
            if (!names.add(name)) {
                warnings.accept("Warning: please remove duplicate entry in server.modules: " + name);
            }
        }
        List<String> ordered = new ArrayList<>(names);
        if (tree.globalValue("index-file.names") != null && !names.contains(INDEXFILE)) {
            ordered.addFirst(INDEXFILE);
        }
        // lighttpd 1.4.69 appends mod_dirlisting whenever it is not listed (it does nothing unless activated);
        // lightgate loads it where the config uses its keys (so they are not unknown), before mod_staticfile
        if (!names.contains(DIRLISTING) && tree.assignsAnywhere(
                key -> key.startsWith("dir-listing.") || key.equals("server.dir-listing"))) {
            int at = ordered.indexOf(STATICFILE);
            ordered.add(at < 0 ? ordered.size() : at, DIRLISTING);
        }
        int staticAt = ordered.indexOf(STATICFILE);
        if (staticAt < 0) {
            ordered.add(STATICFILE);
        } else {
            for (String later : ordered.subList(staticAt + 1, ordered.size())) {
                if (REQUEST_HANDLERS.contains(later)) {
                    warnings.accept("Warning: " + later + " should be listed in server.modules before "
                            + STATICFILE + " (it would never see requests mod_staticfile serves)");
                }
            }
        }
        for (String name : ordered) {
            boolean implicit = !names.contains(name);
            if (!factories.containsKey(name) && !implicit) {
                throw new ConfigException("server.modules: can't find module \"" + name + "\"");
            }
        }
        return ordered.stream().filter(factories::containsKey).toList();
    }

    /** New module instances for {@code names} (from {@link #moduleNames}). */
    public List<Module> instantiate(List<String> names) {
        List<Module> modules = new ArrayList<>(names.size());
        for (String name : names) {
            modules.add(factories.get(name).get());
        }
        return modules;
    }

    private static List<String> stringList(ConfigValue v, String key) throws ConfigException {
        if (v == null) {
            return List.of();
        }
        try {
            return ValueType.STRING_LIST.convert(v);
        } catch (ValueType.TypeMismatch e) {
            throw new ConfigException(key + ": " + e.getMessage());
        }
    }
}
