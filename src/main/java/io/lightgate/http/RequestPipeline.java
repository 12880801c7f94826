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

    private final List<Module> modules;
    private final boolean absoluteDirRedirect;
    /** The document root of the last request on this connection, as configured and as a Path (parsed once). */
    private String docRootConfigured;
    private Path docRootPath;
    private String docRootText;

    public RequestPipeline(Site site) {
        this.modules = site.modules();
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

    /** The core's work between the two hooks; false when it answered. */
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
        return resolvePhysical(ex, docRootPath, docRootText);
    }

    /** Sets the physical path, or answers (301/403/404) and returns false. */
    private boolean resolvePhysical(CoreExchange ex, Path docRoot, String docRootText) {
        String rel = ex.request().path();
        boolean followSymlinks = ex.config().get(ServerKeys.FOLLOW_SYMLINK);
        PhysicalPath physical = PhysicalPath.below(docRoot, docRootText, rel);
        try {
            if (!followSymlinks && PhysicalPath.hasSymlinkBelowRoot(docRoot, rel)) {
                ex.respondError(403);
                return false;
            }
            StatCache.FileStat stat = StatCache.stat(physical, ServerKeys.statCacheEnabled(ex.config()));
            if (stat.directory() && !rel.endsWith("/")) {
                redirectToDirectory(ex);
                return false;
            }
            if (!stat.directory() && rel.endsWith("/")) {
                // stat("file/") fails with ENOTDIR for lighttpd, which then finds the file as the script part
                // and "/" as PATH_INFO; the JDK's Path drops the slash and would see the file itself
                return resolvePathInfo(ex, docRoot, rel);
            }
            ex.physical(physical);
            return true;
        } catch (NoSuchFileException | NotDirectoryException e) {
            return resolvePathInfo(ex, docRoot, rel);
        } catch (java.nio.file.AccessDeniedException e) {
            ex.respondError(403);
            return false;
        } catch (IOException | SecurityException e) {
            if (e.getMessage() != null && e.getMessage().contains("Not a directory")) {
                return resolvePathInfo(ex, docRoot, rel);
            }
            ex.errorLog().write("server", "stat " + physical.text() + " failed: " + e.getMessage());
            ex.respondError(e instanceof SecurityException ? 403 : 404);
            return false;
        }
    }

    /** lighttpd's PATH_INFO: the longest leading part of the path that names a regular file. */
    private boolean resolvePathInfo(CoreExchange ex, Path docRoot, String rel) {
        int cut = rel.length();
        while ((cut = rel.lastIndexOf('/', cut - 1)) > 0) {
            String prefix = rel.substring(0, cut);
            Path candidate = docRoot.resolve(prefix.substring(1));
            if (Files.isRegularFile(candidate)) {
                ex.physical(new PhysicalPath(docRoot, prefix, candidate));
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
