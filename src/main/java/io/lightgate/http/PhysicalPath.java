package io.lightgate.http;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Where a request maps in the file system (lighttpd's r->physical): the document root in force, the
 * path below it (the normalised URL path) and their join. Set by the core before the
 * subrequest-start hook; mod_indexfile replaces it with the index file it found.
 */
public record PhysicalPath(Path docRoot, String relPath, Path path) {
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
}
