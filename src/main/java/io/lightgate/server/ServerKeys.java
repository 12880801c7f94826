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
    public static final ConfigKey<Integer> MAX_KEEP_ALIVE_REQUESTS =
            ConfigKey.of("server.max-keep-alive-requests", Scope.CONNECTION, ValueType.SHORT, 1000);
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
    public static final ConfigKey<String> NAME =
            ConfigKey.of("server.name", Scope.CONNECTION, ValueType.STRING, null);
}
