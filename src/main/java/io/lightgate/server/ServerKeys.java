package io.lightgate.server;

import io.lightgate.config.ConfigKey;
import io.lightgate.config.Scope;
import io.lightgate.config.ValueType;
import java.util.List;
import java.util.Map;

/**
 * The core's own config keys ({@code server.*}), with lighttpd's types, scopes and defaults
 * (reference §10; configfile.c: config_insert_srvconf / config_insert). Modules own their keys.
 */
public final class ServerKeys {
    private ServerKeys() { }

    public static final ConfigKey<String> DOCUMENT_ROOT =
            ConfigKey.of("server.document-root", Scope.CONNECTION, ValueType.STRING, null);
    public static final ConfigKey<String> BIND =
            ConfigKey.of("server.bind", Scope.SERVER, ValueType.STRING, null);
    /** 0 picks an ephemeral port (a lightgate extension, for tests). */
    public static final ConfigKey<Integer> PORT =
            ConfigKey.of("server.port", Scope.SERVER, ValueType.SHORT, 80);
    public static final ConfigKey<List<String>> MODULES =
            ConfigKey.of("server.modules", Scope.SERVER, ValueType.STRING_LIST, List.of());
    public static final ConfigKey<Integer> MAX_READ_IDLE =
            ConfigKey.of("server.max-read-idle", Scope.CONNECTION, ValueType.SHORT, 60);
    public static final ConfigKey<Integer> MAX_WRITE_IDLE =
            ConfigKey.of("server.max-write-idle", Scope.CONNECTION, ValueType.SHORT, 360);
    public static final ConfigKey<Integer> MAX_KEEP_ALIVE_IDLE =
            ConfigKey.of("server.max-keep-alive-idle", Scope.CONNECTION, ValueType.SHORT, 5);
    /**
     * An unsigned int, not lighttpd's 16-bit short: lighttpd 1.4.69 silently truncates 100000 to 34464,
     * and such configs exist (the perf baseline's), so we take the value as meant.
     */
    public static final ConfigKey<Integer> MAX_KEEP_ALIVE_REQUESTS =
            ConfigKey.of("server.max-keep-alive-requests", Scope.CONNECTION, ValueType.INT, 1000);
    /** KiB; 0 = unlimited. */
    public static final ConfigKey<Integer> MAX_REQUEST_SIZE =
            ConfigKey.of("server.max-request-size", Scope.CONNECTION, ValueType.INT, 0);
    public static final ConfigKey<Integer> MAX_REQUEST_FIELD_SIZE =
            ConfigKey.of("server.max-request-field-size", Scope.SERVER, ValueType.INT, 8192);
    /** 0 = no limit beyond the process's fd limit. */
    public static final ConfigKey<Integer> MAX_CONNECTIONS =
            ConfigKey.of("server.max-connections", Scope.SERVER, ValueType.INT, 0);
    /** null = "lightgate/&lt;version&gt;"; blank = no Server header. */
    public static final ConfigKey<String> TAG =
            ConfigKey.of("server.tag", Scope.CONNECTION, ValueType.STRING, null);
    public static final ConfigKey<String> ERRORLOG =
            ConfigKey.of("server.errorlog", Scope.SERVER, ValueType.STRING, null);
    /** Where CGI programs' stderr goes (opened once, reopened on SIGHUP); null: lightgate's own stderr. */
    public static final ConfigKey<String> BREAKAGELOG =
            ConfigKey.of("server.breakagelog", Scope.SERVER, ValueType.STRING, null);
    /**
     * Where a chunked request body for CGI, SCGI, FastCGI or an HTTP/1.0 proxy backend goes beyond 64 KiB while
     * it is read whole: an unlinked temp file in the first directory that takes one.
     */
    public static final ConfigKey<List<String>> UPLOAD_DIRS =
            ConfigKey.of("server.upload-dirs", Scope.SERVER, ValueType.STRING_LIST, List.of("/var/tmp"));
    public static final ConfigKey<Boolean> FOLLOW_SYMLINK =
            ConfigKey.of("server.follow-symlink", Scope.CONNECTION, ValueType.BOOL, true);
    public static final ConfigKey<Boolean> RANGE_REQUESTS =
            ConfigKey.of("server.range-requests", Scope.CONNECTION, ValueType.BOOL, true);
    public static final ConfigKey<Map<String, String>> FEATURE_FLAGS =
            ConfigKey.of("server.feature-flags", Scope.SERVER, ValueType.STRING_MAP, Map.of());
    public static final ConfigKey<Integer> LISTEN_BACKLOG =
            ConfigKey.of("server.listen-backlog", Scope.SOCKET, ValueType.INT, 1024);
    public static final ConfigKey<Boolean> PROTOCOL_HTTP11 =
            ConfigKey.of("server.protocol-http11", Scope.CONNECTION, ValueType.BOOL, true);
    /**
     * lighttpd's stat cache engine: "simple" (default; "fam" and "inotify" are taken as "simple") keeps
     * stat results and small files for up to a second; "disable" or "none" stats on every request.
     */
    public static final ConfigKey<String> STAT_CACHE_ENGINE =
            ConfigKey.of("server.stat-cache-engine", Scope.SERVER, ValueType.STRING, "simple");

    /** Whether the stat cache is on for this request's config. */
    public static boolean statCacheEnabled(io.lightgate.config.RequestConfig config) {
        String engine = config.get(STAT_CACHE_ENGINE);
        // Asked twice per request with the same String object from the config: decide once per object
        // (measured: the two case-insensitive compares were ~3 % of a 1 KiB request).
        EngineChoice last = lastEngineChoice;
        if (last.engine() == engine) {
            return last.enabled();
        }
        boolean enabled = !(engine.equalsIgnoreCase("disable") || engine.equalsIgnoreCase("none"));
        lastEngineChoice = new EngineChoice(engine, enabled);
        return enabled;
    }

    private record EngineChoice(String engine, boolean enabled) { }

    private static volatile EngineChoice lastEngineChoice = new EngineChoice("simple", true);

    /**
     * A lightgate key: the number of event loops serving connections (0 = one per core). A restart keeps
     * the running loops; the value takes effect at start.
     */
    public static final ConfigKey<Integer> EVENT_LOOPS =
            ConfigKey.of("server.event-loops", Scope.SERVER, ValueType.range(0, 1024), 0);

    public static final ConfigKey<String> NAME =
            ConfigKey.of("server.name", Scope.CONNECTION, ValueType.STRING, null);
    /** lighttpd's request-parsing switches ({@link HttpParseOptions}). */
    public static final ConfigKey<Map<String, String>> HTTP_PARSEOPTS =
            ConfigKey.of("server.http-parseopts", Scope.SERVER, ValueType.STRING_MAP, Map.of());
    public static final ConfigKey<Boolean> USE_IPV6 =
            ConfigKey.of("server.use-ipv6", Scope.SOCKET, ValueType.BOOL, false);
    /** IPV6_V6ONLY on IPv6 listeners (lighttpd's default), so "[::]:80" and "0.0.0.0:80" can both be bound. */
    public static final ConfigKey<Boolean> SET_V6ONLY =
            ConfigKey.of("server.set-v6only", Scope.SOCKET, ValueType.BOOL, true);

    /**
     * lighttpd's default 0 holds a gateway answer (mod_cgi, mod_scgi, mod_fastcgi) until it is complete and sends it
     * whole with its length; 1 and 2 stream it as it comes. lightgate holds up to 64 KiB, then streams.
     */
    public static final ConfigKey<Integer> STREAM_RESPONSE_BODY =
            ConfigKey.of("server.stream-response-body", Scope.CONNECTION, ValueType.INT, 0);

    // Accepted for compatibility; lightgate has its own answer to each (warned once as "not supported").
    public static final ConfigKey<String> EVENT_HANDLER =
            ConfigKey.of("server.event-handler", Scope.SERVER, ValueType.STRING, null);
    public static final ConfigKey<String> NETWORK_BACKEND =
            ConfigKey.of("server.network-backend", Scope.SERVER, ValueType.STRING, null);
    public static final ConfigKey<Integer> MAX_FDS =
            ConfigKey.of("server.max-fds", Scope.SERVER, ValueType.INT, 0);
    public static final ConfigKey<Integer> MAX_WORKER =
            ConfigKey.of("server.max-worker", Scope.SERVER, ValueType.INT, 0);
    public static final ConfigKey<String> PID_FILE =
            ConfigKey.of("server.pid-file", Scope.SERVER, ValueType.STRING, null);
    public static final ConfigKey<String> USERNAME =
            ConfigKey.of("server.username", Scope.SERVER, ValueType.STRING, null);
    public static final ConfigKey<String> GROUPNAME =
            ConfigKey.of("server.groupname", Scope.SERVER, ValueType.STRING, null);
    public static final ConfigKey<String> CHROOT =
            ConfigKey.of("server.chroot", Scope.SERVER, ValueType.STRING, null);
    public static final ConfigKey<Integer> STREAM_REQUEST_BODY =
            ConfigKey.of("server.stream-request-body", Scope.CONNECTION, ValueType.INT, 0);

    /** Every core key, for {@code ConfigTree.validate}. */
    public static List<ConfigKey<?>> all() {
        return List.of(DOCUMENT_ROOT, BIND, PORT, MODULES, MAX_READ_IDLE, MAX_WRITE_IDLE, MAX_KEEP_ALIVE_IDLE,
                MAX_KEEP_ALIVE_REQUESTS, MAX_REQUEST_SIZE, MAX_REQUEST_FIELD_SIZE, MAX_CONNECTIONS, TAG, ERRORLOG,
                BREAKAGELOG, UPLOAD_DIRS, FOLLOW_SYMLINK, RANGE_REQUESTS, FEATURE_FLAGS, LISTEN_BACKLOG, PROTOCOL_HTTP11, NAME,
                HTTP_PARSEOPTS, USE_IPV6, SET_V6ONLY, EVENT_HANDLER, NETWORK_BACKEND, MAX_FDS, MAX_WORKER, PID_FILE,
                USERNAME, GROUPNAME, CHROOT, STREAM_REQUEST_BODY, STREAM_RESPONSE_BODY, STAT_CACHE_ENGINE,
                EVENT_LOOPS);
    }

    /** Keys parsed for compatibility whose effect lightgate does not reproduce: warned once when set. */
    static List<ConfigKey<?>> unsupported() {
        return List.of(EVENT_HANDLER, NETWORK_BACKEND, MAX_FDS, MAX_WORKER, USERNAME, GROUPNAME, CHROOT,
                STREAM_REQUEST_BODY);
    }
}
