package io.lightgate.os;

import java.io.IOException;

/** A failed libc call: the message names the call, errno's symbolic name and strerror's text. */
public final class ErrnoException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    public ErrnoException(String call, int errno) {
        this(call, errno, null);
    }

    /** {@code detail}, when given, is appended to explain what the error means here. */
    public ErrnoException(String call, int errno, String detail) {
        super(call + ": " + Posix.name(errno) + " (" + Posix.describe(errno) + ")"
                + (detail == null ? "" : ": " + detail));
        this.errno = errno;
    }

    /** The raw error number. */
    public int errno() {
        return errno;
    }

    /** The symbolic name, e.g. {@code "ENOENT"}. */
    public String errnoName() {
        return Posix.name(errno);
    }
}
