package io.lightgate.modules.alias;

import io.lightgate.config.ConfigException;
import io.lightgate.config.ConfigKey;
import io.lightgate.config.Configuration;
import io.lightgate.config.Scope;
import io.lightgate.http.Exchange;
import io.lightgate.http.Module;
import io.lightgate.http.ModuleContext;
import io.lightgate.http.PhysicalBase;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * mod_alias, as lighttpd 1.4.69's: {@code alias.url = ( "/url-prefix" => "/file/system/path", ... )} maps a URL
 * path that starts with a prefix onto the target followed by the rest of the URL path, in the physical-path hook
 * (after the document root is chosen, before the core checks the path). The first entry in config order whose
 * prefix starts the URL path wins; lighttpd refuses to start when an entry's prefix starts with its neighbour's
 * before it ({@link Aliases#TYPE}), and lightgate warns about the other shadowed entries it lets pass.
 * <p>Matching is case-sensitive: lighttpd matches without case only under {@code
 * server.force-lowercase-filenames}, which lightgate does not have.
 * <p>The target and the rest are joined as text, as lighttpd does: {@code "/a/" => "/srv/x"} maps
 * {@code /a/b} to {@code /srv/xb}. A prefix without a trailing '/' whose target has one would let
 * {@code /prefix../x} climb out of the target; such requests get 403 ({@link Aliases.Alias#escapes}).
 */
public final class AliasModule implements Module {
    public static final String NAME = "mod_alias";

    public static final ConfigKey<Aliases> URL = ConfigKey.of("alias.url", Scope.CONNECTION, Aliases.TYPE, Aliases.NONE);

    public AliasModule() { }

    @Override public String name() { return NAME; }

    @Override public List<ConfigKey<?>> configKeys() { return List.of(URL); }

    @Override
    public void configure(Configuration config, ModuleContext context) throws ConfigException {
        Set<String> warned = new LinkedHashSet<>();
        for (Aliases aliases : config.valuesInAllBlocks(URL)) {
            warned.addAll(aliases.shadowed());
        }
        for (String w : warned) {
            context.errorLog().write(NAME, "alias.url: " + w + " (lighttpd lets this pass; warned only)");
        }
    }

    @Override
    public Hook physicalPath(Exchange exchange, PhysicalBase base) {
        Aliases aliases = exchange.config().get(URL);
        if (aliases.isEmpty()) {
            return Hook.GO_ON;
        }
        String path = base.rest();
        Aliases.Alias alias = aliases.match(path);
        if (alias == null) {
            return Hook.GO_ON;
        }
        if (alias.escapes(path)) {
            exchange.respondError(403);
            return Hook.HANDLED;
        }
        base.replace(alias.targetPath(), alias.target(), path.substring(alias.prefix().length()));
        return Hook.GO_ON;
    }
}
