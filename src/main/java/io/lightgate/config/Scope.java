package io.lightgate.config;

/** Where a key may be set, as lighttpd's T_CONFIG_SCOPE_*. */
public enum Scope {
    /** Only at the top level; inside a condition lighttpd warns and ignores it. */
    SERVER,
    /** Top level or inside {@code $SERVER["socket"] == ...} (per listener). */
    SOCKET,
    /** Anywhere; evaluated per request. */
    CONNECTION
}
