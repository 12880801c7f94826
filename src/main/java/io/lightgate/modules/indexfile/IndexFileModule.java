package io.lightgate.modules.indexfile;

import io.lightgate.config.ConfigKey;
import io.lightgate.config.RequestConfig;
import io.lightgate.config.Scope;
import io.lightgate.config.ValueType;
import io.lightgate.http.Exchange;
import io.lightgate.http.Module;
import io.lightgate.http.PhysicalPath;
import io.lightgate.server.ServerKeys;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * mod_indexfile: for a URL ending in '/', points the request at the first of {@code index-file.names}
 * that exists, so a later handler (mod_staticfile) serves it. A name starting with '/' is a path from
 * the document root (also below an alias). Nothing found: the request goes on unchanged (the core answers 403).
 */
public final class IndexFileModule implements Module {

    public static final ConfigKey<List<String>> NAMES =
            ConfigKey.of("index-file.names", Scope.CONNECTION, ValueType.STRING_LIST, List.of());
    /** lighttpd's older name for the same list. */
    public static final ConfigKey<List<String>> SERVER_INDEXFILES =
            ConfigKey.of("server.indexfiles", Scope.CONNECTION, ValueType.STRING_LIST, List.of());

    public IndexFileModule() { }

    @Override public String name() { return "mod_indexfile"; }

    @Override public List<ConfigKey<?>> configKeys() { return List.of(NAMES, SERVER_INDEXFILES); }

    @Override
    public Hook subrequestStart(Exchange exchange) {
        PhysicalPath physical = exchange.physical();
        if (physical == null || !exchange.request().path().endsWith("/")) {
            return Hook.GO_ON;
        }
        for (String name : names(exchange.config())) {
            if (name.isEmpty()) {
                continue;
            }
            boolean fromRoot = name.charAt(0) == '/';
            Path root = fromRoot ? documentRoot(exchange, physical) : null;
            Path candidate = fromRoot ? root.resolve(name.substring(1)) : physical.path().resolve(name);
            try {
                Files.readAttributes(candidate, BasicFileAttributes.class);
            } catch (NoSuchFileException e) {
                continue;
            } catch (AccessDeniedException e) {
                // lighttpd: a name it may not even look at ends the request with 403
                exchange.respondError(403);
                return Hook.HANDLED;
            } catch (IOException e) {
                continue; // ENOTDIR and the like: this name is not there
            }
            exchange.physical(!fromRoot
                    ? physical.withPath(joinRel(physical.relPath(), name), joinRel(physical.urlPath(), name), candidate)
                    : physical.aliased()
                    ? new PhysicalPath(root, name, candidate)
                    : physical.withPath(name, name, candidate));
            return Hook.GO_ON;
        }
        return Hook.GO_ON;
    }

    /**
     * Where a name starting with '/' is looked up: the document root (lighttpd's physical.doc_root), also when
     * an alias mapped the directory elsewhere.
     */
    private static Path documentRoot(Exchange exchange, PhysicalPath physical) {
        if (!physical.aliased()) {
            return physical.docRoot();
        }
        String root = exchange.config().get(ServerKeys.DOCUMENT_ROOT);
        return Path.of(root == null ? "/" : root);
    }

    private static List<String> names(RequestConfig config) {
        if (config.isSet(NAMES) || !config.isSet(SERVER_INDEXFILES)) {
            return config.get(NAMES);
        }
        return config.get(SERVER_INDEXFILES);
    }

    private static String joinRel(String dirRel, String name) {
        if (dirRel == null || dirRel.isEmpty()) {
            return "/" + name;
        }
        return dirRel.endsWith("/") ? dirRel + name : dirRel + "/" + name;
    }
}
