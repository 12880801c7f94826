package io.lightgate.gateway.cgi;

import io.lightgate.os.ErrnoException;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A CGI program could not be started: its pipes could not be made, or exec failed (ENOENT, EACCES, ENOEXEC,
 * ...). The message names the program and the error; lighttpd answers 500 for any of these.
 */
public final class CgiSpawnException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path program;
    private final String errnoName;

    public CgiSpawnException(Path program, ErrnoException cause) {
        super("cannot start CGI program " + program + ": " + cause.getMessage(), cause);
        this.program = program;
        this.errnoName = cause.errnoName();
    }

    public Path program() {
        return program;
    }

    /** errno's symbolic name, e.g. {@code "ENOENT"}, {@code "EACCES"}, {@code "ENOEXEC"}. */
    public String errnoName() {
        return errnoName;
    }

    /** The program (or its interpreter, or a directory on the way) was not found. */
    public boolean notFound() {
        return "ENOENT".equals(errnoName) || "ENOTDIR".equals(errnoName);
    }

    /** The program is not executable by us or a directory on the way is not searchable. */
    public boolean permissionDenied() {
        return "EACCES".equals(errnoName) || "EPERM".equals(errnoName);
    }
}
