package io.lightgate.http;

import io.lightgate.config.Configuration;
import io.lightgate.log.ErrorLog;
import io.lightgate.server.FeatureFlags;
import io.lightgate.server.HttpParseOptions;
import java.util.List;

/**
 * One config generation as connections see it: the validated config, the configured modules in hook order,
 * and the server-scope values the protocol layer needs. A graceful restart makes a new Site; connections
 * keep the one they were accepted under.
 */
public record Site(Configuration config, List<Module> modules, ErrorLog errorLog, FeatureFlags flags,
                   HttpParseOptions parseOptions, int maxRequestFieldSize, String defaultTag) {
    public Site {
        modules = List.copyOf(modules);
    }
}
