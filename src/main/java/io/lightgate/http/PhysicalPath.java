package io.lightgate.http;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a request maps in the file system (lighttpd's r->physical): the document root in force, the
 * path below it (the normalised URL path) and their join, as text and as a {@link Path}. Set by the core
 * before the subrequest-start hook; mod_indexfile replaces it with the index file it found.
 * <p>The core makes it from text and parses the {@link Path} only when a module asks for it: a static file
 * served from the stat cache needs just the text (measured: building and hashing a Path per request was
 * ~15 % of the event loop's Java time for a 1 KiB file).
 */
public final class PhysicalPath {
    private final Path docRoot;
    private final String relPath;
    private final String text;
    private Path path;

    public PhysicalPath(Path docRoot, String relPath, Path path) {
        this.docRoot = docRoot;
        this.relPath = relPath;
        this.path = Objects.requireNonNull(path);
        this.text = path.toString();
    }

    private PhysicalPath(Path docRoot, String relPath, String text) {
        this.docRoot = docRoot;
        this.relPath = relPath;
        this.text = text;
    }

    /**
     * {@code relPath} (a normalised URL path: starts with '/', no empty, "." or ".." segment) below the
     * document root whose {@code toString()} is {@code docRootText}.
     */
    public static PhysicalPath below(Path docRoot, String docRootText, String relPath) {
        String prefix = docRootText.equals("/") ? "" : docRootText;
        return new PhysicalPath(docRoot, relPath, prefix.concat(relPath));
    }

    public Path docRoot() { return docRoot; }
    public String relPath() { return relPath; }

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
     * The path as text: the document root's text joined with the relative path. A directory's text may end
     * in '/', which {@link #path()} drops.
     */
    public String text() { return text; }

    public PhysicalPath withPath(String newRelPath, Path newPath) {
        return new PhysicalPath(docRoot, newRelPath, newPath);
    }

    /**
     * Whether {@code server.follow-symlink = "disable"} forbids this path: any component below the document
     * root is a symlink. Modules that serve a path other than the one the core checked (an index file)
     * must ask again before serving it.
     */
    public boolean hasSymlinkBelowRoot() {
        return hasSymlinkBelowRoot(docRoot, relPath);
    }

    /** Whether any component of {@code rel} ("/a/b") below {@code docRoot} is a symlink (lstat each). */
    public static boolean hasSymlinkBelowRoot(Path docRoot, String rel) {
        Path p = docRoot;
        int start = 0;
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
                && path().equals(other.path());
    }

    @Override
    public int hashCode() {
        return Objects.hash(docRoot, relPath, path());
    }

    @Override
    public String toString() {
        return "PhysicalPath[docRoot=" + docRoot + ", relPath=" + relPath + ", path=" + text + "]";
    }
}
