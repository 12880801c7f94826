package io.lightgate.gateway;

import java.io.IOException;

/** A backend's read-timeout or write-timeout fired; modules answer 504 when no response had started. */
public final class BackendTimeoutException extends IOException {
    private static final long serialVersionUID = 1L;

    public enum Kind { READ, WRITE }

    private final Kind kind;

    public BackendTimeoutException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() { return kind; }
}
