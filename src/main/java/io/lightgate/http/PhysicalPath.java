package io.lightgate.http;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a request maps in the file system (lighttpd's r->physical): the base directory in force (the document
 * root, or an alias target: lighttpd's basedir), the path below it, the URL path the file answers to, and the
 * file's path as text and as a {@link Path}. Set by the core before the subrequest-start hook; mod_indexfile
 * replaces it with the index file it found.
 * <p>Without an alias the path below the base is the URL path. With one ({@code alias.url = ( "/js/" =>
 * "/usr/share/javascript/" )}, URL {@code /js/a.js}) the base is the target as configured, the path below it
 * the rest of the URL ({@code "/a.js"}), the URL path stays {@code /js/a.js} (SCRIPT_NAME), and the text is the
 * target and the rest joined as lighttpd joins them, without adding or removing a slash
 * ({@code /usr/share/javascript/a.js}).
 * <p>The core makes it from text and parses the {@link Path} only when a module asks for it: a static file
 * served from the stat cache needs just the text (measured: building and hashing a Path per request was
 * ~15 % of the event loop's Java time for a 1 KiB file).
 */
public final class PhysicalPath {
    private final Path docRoot;
    /** The base directory as configured (an alias target may end in '/'); null: {@code docRoot.toString()}. */
    private final String docRootText;
    private final String relPath;
    private final String urlPath;
    private final boolean aliased;
    private final String text;
    private Path path;

    public PhysicalPath(Path docRoot, String relPath, Path path) {
        this(docRoot, null, relPath, relPath, false, path.toString(), Objects.requireNonNull(path));
    }

    PhysicalPath(Path docRoot, String docRootText, String relPath, String urlPath, boolean aliased, String text,
                 Path path) {
        this.docRoot = docRoot;
        this.docRootText = docRootText;
        this.relPath = relPath;
        this.urlPath = urlPath;
        this.aliased = aliased;
        this.text = text;
        this.path = path;
    }

    /**
     * {@code relPath} (a normalised URL path: starts with '/', no empty, "." or ".." segment) below the
     * document root whose {@code toString()} is {@code docRootText}.
     */
    public static PhysicalPath below(Path docRoot, String docRootText, String relPath) {
        String prefix = docRootText.equals("/") ? "" : docRootText;
        return new PhysicalPath(docRoot, docRootText, relPath, relPath, false, prefix.concat(relPath), null);
    }

    /**
     * The URL path {@code urlPath} mapped onto the base directory {@code base} (written {@code baseText}, as
     * configured) by a module of the physical-path hook (mod_alias): {@code rest} is what follows the matched
     * prefix in the URL, appended to {@code baseText} as is. The path below the base starts with '/' when
     * {@code rest} names something inside the base; it does not when the prefix ended inside a file name
     * ({@code "/a" => "/srv/dir"} for {@code /afoo}: {@code "foo"}, a sibling of the base, as in lighttpd).
     */
    public static PhysicalPath aliased(Path base, String baseText, String rest, String urlPath) {
        String rel = !rest.startsWith("/") && baseText.endsWith("/") ? "/".concat(rest) : rest;
        return new PhysicalPath(base, baseText, rel, urlPath, true, baseText.concat(rest), null);
    }

    /** The base directory: the document root, or the alias target that mapped the request. */
    public Path docRoot() { return docRoot; }

    /**
     * The base directory as configured (lighttpd's basedir: DOCUMENT_ROOT of a CGI program). An alias target
     * keeps a trailing '/' that {@link #docRoot()} drops.
     */
    public String docRootText() { return docRootText != null ? docRootText : docRoot.toString(); }

    /** The path below {@link #docRoot()}, "/a/b.html"; see {@link #aliased} for an alias. */
    public String relPath() { return relPath; }

    /**
     * The URL path this file answers to, PATH_INFO excluded (SCRIPT_NAME): the request's path, or the index
     * file mod_indexfile found for it. The same as {@link #relPath()} unless an alias mapped the request.
     */
    public String urlPath() { return urlPath; }

    /** Whether a physical-path module (mod_alias) chose the base directory instead of the document root. */
    public boolean aliased() { return aliased; }

    /** The file system path (parsed on first use). */
    public Path path() {
        Path p = path;
        if (p == null) {
            p = Path.of(text);
            path = p;
        }
        return p;
    }

    /**
     * The path as text: the base directory's text joined with the relative path. A directory's text may end
     * in '/', which {@link #path()} drops.
     */
    public String text() { return text; }

    /** The same base with another file: {@code newRelPath} below it, answering to {@code newUrlPath}. */
    public PhysicalPath withPath(String newRelPath, String newUrlPath, Path newPath) {
        return new PhysicalPath(docRoot, docRootText, newRelPath, newUrlPath, aliased, newPath.toString(), newPath);
    }

    /**
     * Whether {@code server.follow-symlink = "disable"} forbids this path: any component below the base directory
     * is a symlink. Modules that serve a path other than the one the core checked (an index file)
     * must ask again before serving it.
     */
    public boolean hasSymlinkBelowRoot() {
        return hasSymlinkBelowRoot(docRoot, relPath);
    }

    /**
     * Whether any component of {@code rel} ("/a/b") below {@code docRoot} is a symlink (lstat each). A {@code rel}
     * that does not start with '/' continues the base's last name ("foo/b" below "/srv/dir" is "/srv/dirfoo/b",
     * an alias prefix that ended inside a name): that component is checked too. The base itself is not.
     */
    public static boolean hasSymlinkBelowRoot(Path docRoot, String rel) {
        Path p = docRoot;
        int start = 0;
        if (!rel.isEmpty() && rel.charAt(0) != '/') {
            Path parent = docRoot.getParent();
            Path name = docRoot.getFileName();
            int slash = rel.indexOf('/');
            int end = slash < 0 ? rel.length() : slash;
            String first = (name == null ? "" : name.toString()).concat(rel.substring(0, end));
            p = parent == null ? Path.of(first) : parent.resolve(first);
            if (Files.isSymbolicLink(p)) {
                return true;
            }
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
            start = end + 1;
        }
        while (start < rel.length()) {
            int slash = rel.indexOf('/', start);
            int end = slash < 0 ? rel.length() : slash;
            if (end > start) {
                p = p.resolve(rel.substring(start, end));
                if (Files.isSymbolicLink(p)) {
                    return true;
                }
                if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                    return false;
                }
            }
            start = end + 1;
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PhysicalPath other && Objects.equals(docRoot, other.docRoot)
                && Objects.equals(relPath, other.relPath)
                && Objects.equals(urlPath, other.urlPath)
                && aliased == other.aliased
                && path().equals(other.path());
    }

    @Override
    public int hashCode() {
        return Objects.hash(docRoot, relPath, path());
    }

    @Override
    public String toString() {
        return "PhysicalPath[docRoot=" + docRootText() + ", relPath=" + relPath
                + (aliased ? ", urlPath=" + urlPath : "") + ", path=" + text + "]";
    }
}
