package io.lightgate.http;

import io.lightgate.server.ServerKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.List;

/**
 * The request pipeline in lighttpd's order: uri-clean hooks, document root and physical path (with the
 * symlink rule and the missing/directory checks), subrequest-start hooks, then lighttpd's answer for a
 * request no module took. Runs on the connection's event loop; the stat calls are the only blocking work,
 * as in lighttpd.
 */
public final class RequestPipeline {
    private static final String ALLOW = "OPTIONS, GET, HEAD, POST";

    /** Whether a module class overrides {@link Module#physicalPath} (asked once per class). */
    private static final ClassValue<Boolean> HAS_PHYSICAL_HOOK = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            try {
                return type.getMethod("physicalPath", Exchange.class, PhysicalBase.class).getDeclaringClass()
                        != Module.class;
            } catch (NoSuchMethodException e) {
                return false;
            }
        }
    };
    private static final Module[] NONE = new Module[0];

    private final List<Module> modules;
    /** The modules with a physical-path hook, in hook order: usually none or mod_alias alone. */
    private final Module[] physicalHooks;
    /** Handed to the physical-path hooks, reused request after request. */
    private final PhysicalBase physicalBase;
    private final boolean absoluteDirRedirect;
    /** The document root of the last request on this connection, as configured and as a Path (parsed once). */
    private String docRootConfigured;
    private Path docRootPath;
    private String docRootText;

    public RequestPipeline(Site site) {
        this.modules = site.modules();
        Module[] hooked = NONE;
        for (Module m : modules) {
            if (HAS_PHYSICAL_HOOK.get(m.getClass())) {
                hooked = java.util.Arrays.copyOf(hooked, hooked.length + 1);
                hooked[hooked.length - 1] = m;
            }
        }
        this.physicalHooks = hooked;
        this.physicalBase = hooked.length == 0 ? null : new PhysicalBase();
        this.absoluteDirRedirect = site.flags().absoluteDirRedirect();
    }

    public void run(CoreExchange ex) {
        runFrom(ex, 0);
    }

    /**
     * Goes on after the module at the exchange's hook position gave the request back ({@link Exchange#passOn}):
     * with the next module of that hook, then the rest of the pipeline.
     */
    public void resume(CoreExchange ex) {
        runFrom(ex, ex.hookPosition() + 1);
    }

    /** Positions 0 .. n-1 are the uri-clean hooks of the n modules, n .. 2n-1 their subrequest-start hooks. */
    private void runFrom(CoreExchange ex, int position) {
        int n = modules.size();
        for (int i = position; i < n; i++) {
            ex.hookPosition(i);
            if (modules.get(i).uriClean(ex) == Module.Hook.HANDLED || ex.answered()) {
                return;
            }
        }
        if (position <= n) {
            if (!resolve(ex)) {
                return;
            }
        }
        for (int i = Math.max(position, n); i < 2 * n; i++) {
            ex.hookPosition(i);
            if (modules.get(i - n).subrequestStart(ex) == Module.Hook.HANDLED || ex.answered()) {
                return;
            }
        }
        unhandled(ex);
    }

    /**
     * The core's work between the two hooks (the document root, the physical-path hooks, the checks of the
     * physical path); false when it answered.
     */
    private boolean resolve(CoreExchange ex) {
        Request req = ex.request();
        if (req.target().equals("*")) {
            optionsResponse(ex);
            return false;
        }
        if (req.method().equals("CONNECT")) {
            unhandled(ex); // no module tunnelled it: 405, whatever the path maps to
            return false;
        }
        String docRoot = ex.config().get(ServerKeys.DOCUMENT_ROOT);
        if (docRoot == null || docRoot.isEmpty()) {
            ex.errorLog().write("server", "server.document-root is not set for " + req.path());
            ex.respondError(500);
            return false;
        }
        if (!docRoot.equals(docRootConfigured)) {
            docRootPath = Path.of(docRoot);
            docRootText = docRootPath.toString();
            docRootConfigured = docRoot;
        }
        if (physicalHooks.length > 0) {
            PhysicalBase base = physicalBase;
            base.reset(docRootPath, docRootText, req.path());
            for (Module m : physicalHooks) {
                if (m.physicalPath(ex, base) == Module.Hook.HANDLED || ex.answered()) {
                    return false;
                }
            }
            if (base.replaced()) {
                return resolvePhysical(ex, PhysicalPath.aliased(base.base(), base.baseText(), base.rest(), req.path()));
            }
        }
        return resolvePhysical(ex, PhysicalPath.below(docRootPath, docRootText, req.path()));
    }

    /** Sets the physical path, or answers (301/403/404) and returns false. */
    private boolean resolvePhysical(CoreExchange ex, PhysicalPath physical) {
        if (physical.text().isEmpty()) {
            ex.respondError(404); // an alias to "" for its own prefix: nothing to stat (lighttpd aborts here)
            return false;
        }
        boolean followSymlinks = ex.config().get(ServerKeys.FOLLOW_SYMLINK);
        try {
            if (!followSymlinks && physical.hasSymlinkBelowRoot()) {
                ex.respondError(403);
                return false;
            }
            StatCache.FileStat stat = StatCache.stat(physical, ServerKeys.statCacheEnabled(ex.config()));
            if (stat.directory() && !physical.urlPath().endsWith("/")) {
                redirectToDirectory(ex);
                return false;
            }
            ex.physical(physical);
            return true;
        } catch (NoSuchFileException | NotDirectoryException e) {
            return resolvePathInfo(ex, physical);
        } catch (java.nio.file.AccessDeniedException e) {
            ex.respondError(403);
            return false;
        } catch (IOException | SecurityException e) {
            if (e.getMessage() != null && e.getMessage().contains("Not a directory")) {
                return resolvePathInfo(ex, physical);
            }
            ex.errorLog().write("server", "stat " + physical.text() + " failed: " + e.getMessage());
            ex.respondError(e instanceof SecurityException ? 403 : 404);
            return false;
        }
    }

    /**
     * lighttpd's PATH_INFO: the longest leading part of the path below the base directory that names a regular
     * file. None when an alias prefix ended inside a file name (the path below the base does not start with '/'),
     * as in lighttpd.
     */
    private boolean resolvePathInfo(CoreExchange ex, PhysicalPath physical) {
        String rel = physical.relPath();
        String text = physical.text();
        String url = physical.urlPath();
        int cut = rel.length();
        while (rel.startsWith("/") && (cut = rel.lastIndexOf('/', cut - 1)) > 0) {
            int tail = rel.length() - cut; // the PATH_INFO's length: the same suffix of rel, text and URL path
            Path candidate = physical.aliased()
                    ? Path.of(text.substring(0, text.length() - tail))
                    : physical.docRoot().resolve(rel.substring(1, cut));
            if (Files.isRegularFile(candidate)) {
                String prefix = rel.substring(0, cut);
                String urlPrefix = physical.aliased() ? url.substring(0, url.length() - tail) : prefix;
                ex.physical(physical.withPath(prefix, urlPrefix, candidate));
                ex.pathInfo(rel.substring(cut));
                return true;
            }
            if (Files.exists(candidate)) {
                break;
            }
        }
        ex.respondError(404);
        return false;
    }

    private void redirectToDirectory(CoreExchange ex) {
        Request req = ex.request();
        StringBuilder location = new StringBuilder();
        if (absoluteDirRedirect && !req.host().isEmpty()) {
            location.append(req.scheme()).append("://").append(req.host());
        }
        location.append(UrlPath.encode(req.path())).append('/');
        if (!req.query().isEmpty()) {
            location.append('?').append(req.query());
        }
        Response r = new Response(301);
        r.headers().set("Location", location.toString());
        ex.respond(r);
    }

    private static void optionsResponse(CoreExchange ex) {
        Response r = new Response(200);
        r.headers().set("Allow", ALLOW);
        ex.respond(r);
    }

    /** What lighttpd answers when no module took the request. */
    private static void unhandled(CoreExchange ex) {
        String method = ex.request().method();
        PhysicalPath physical = ex.physical();
        switch (method) {
            case "OPTIONS" -> optionsResponse(ex);
            case "CONNECT" -> ex.respondError(405);
            case "GET", "HEAD", "POST" -> ex.respondError(403);
            default -> ex.respondError(physical != null && Files.isDirectory(physical.path()) ? 403 : 501);
        }
    }
}
