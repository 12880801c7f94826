package io.lightgate.http;

import java.nio.file.Path;

/**
 * What the physical-path hook ({@link Module#physicalPath}) sees and may change: the base directory the core is
 * about to map the request onto and the part of the path that follows it (lighttpd's r->physical.basedir and
 * the rest of r->physical.path). Before any module changed them they are the document root and the request's
 * URL path. A module that maps the request elsewhere (mod_alias) calls {@link #replace}; the core then joins
 * the two as text, checks the result (missing file, directory without '/', follow-symlink, PATH_INFO) and
 * hands later modules a {@link PhysicalPath#aliased} path.
 * <p>One per connection's pipeline, reused request after request (the hook allocates nothing when no module
 * replaces anything): read it only during the hook call.
 */
public final class PhysicalBase {
    private Path base;
    private String baseText;
    private String rest;
    private boolean replaced;

    /** Starts a request: the document root (as a Path and as text) and the URL path. The core calls it. */
    public void reset(Path docRoot, String docRootText, String urlPath) {
        this.base = docRoot;
        this.baseText = docRootText;
        this.rest = urlPath;
        this.replaced = false;
    }

    /** The base directory. */
    public Path base() { return base; }

    /** The base directory as text, as configured (an alias target may end in '/'). */
    public String baseText() { return baseText; }

    /** What follows the base: the URL path (starting with '/'), or what a module set. */
    public String rest() { return rest; }

    /** Whether a module replaced the document root and URL path. */
    public boolean replaced() { return replaced; }

    /**
     * Maps the request onto {@code base} (written {@code baseText}) followed by {@code rest}, joined as text
     * without adding or removing a slash, as lighttpd's mod_alias does.
     */
    public void replace(Path base, String baseText, String rest) {
        this.base = base;
        this.baseText = baseText;
        this.rest = rest;
        this.replaced = true;
    }
}
