package io.lightgate.modules.mimetype;

import io.lightgate.config.ConfigKey;
import io.lightgate.config.ConfigValue;
import io.lightgate.config.Configuration;
import io.lightgate.config.RequestConfig;
import io.lightgate.config.Scope;
import io.lightgate.config.ValueType;
import io.lightgate.log.ErrorLog;
import java.util.List;

/**
 * Content types by file name (lighttpd core: {@code mimetype.*}). Not a module: the core registers
 * {@link #CONFIG_KEYS}; mod_staticfile asks {@link #lookup}. The {@code mimetype.assign} value is
 * turned into a {@link MimeTable} when the config is typed, so lookups cost no preparation per request.
 */
public final class MimeTypes {
    private MimeTypes() { }

    /** lighttpd's answer when no entry matches; such a response carries no ETag or Last-Modified. */
    public static final String FALLBACK = "application/octet-stream";

    /** The built-in table (lighttpd 1.4.71+), used unless {@code mimetype.assign} is set. */
    public static final MimeTable DEFAULT_TABLE = MimeTable.of(DefaultMimeTypes.TABLE);

    static final ValueType<MimeTable> TABLE_TYPE = (ConfigValue v) -> MimeTable.of(ValueType.STRING_MAP.convert(v));

    public static final ConfigKey<MimeTable> ASSIGN =
            ConfigKey.of("mimetype.assign", Scope.CONNECTION, TABLE_TYPE, DEFAULT_TABLE);
    /** Reading the type from an extended attribute is not supported; a warning says so. */
    public static final ConfigKey<Boolean> USE_XATTR =
            ConfigKey.of("mimetype.use-xattr", Scope.CONNECTION, ValueType.BOOL, false);
    public static final ConfigKey<String> XATTR_NAME =
            ConfigKey.of("mimetype.xattr-name", Scope.SERVER, ValueType.STRING, "Content-Type");

    /** The keys the core registers for mime types (they belong to no module in server.modules). */
    public static final List<ConfigKey<?>> CONFIG_KEYS = List.of(ASSIGN, USE_XATTR, XATTR_NAME);

    /** Start-up check: warns about the settings lightgate does not implement. */
    public static void checkGlobal(Configuration config, ErrorLog errorLog) {
        if (config.global(USE_XATTR)) {
            errorLog.write("mimetype", "mimetype.use-xattr is not supported; types come from mimetype.assign only");
        }
    }

    /** The configured type for {@code path}, or null when no entry matches. */
    public static String lookup(RequestConfig config, String path) {
        return config.get(ASSIGN).lookup(path);
    }
}
