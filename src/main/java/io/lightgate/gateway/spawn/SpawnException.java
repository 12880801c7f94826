package io.lightgate.gateway.spawn;

import java.io.IOException;

/** A bin-path proc could not be started (the server must not start with it missing, as in lighttpd). */
public final class SpawnException extends IOException {
    private static final long serialVersionUID = 1L;

    public SpawnException(String message) {
        super(message);
    }

    public SpawnException(String message, Throwable cause) {
        super(message, cause);
    }
}
