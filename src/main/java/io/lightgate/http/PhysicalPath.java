package io.lightgate.http;

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
}
