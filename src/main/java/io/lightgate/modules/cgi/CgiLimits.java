package io.lightgate.modules.cgi;

import io.lightgate.config.ConfigValue;
import io.lightgate.config.ValueType;
import io.lightgate.config.ValueType.TypeMismatch;
import java.util.Locale;
import java.util.Map;

/**
 * The value of {@code cgi.limits} (reference §5.1): read and write timeouts in seconds (0 = off) and the signal
 * sent to the program when the client half-closes (0 = none). An unknown key is a start-up error naming the valid
 * ones (lighttpd only logs it).
 *
 * @param readTimeout     seconds without a byte from the program while its output is awaited
 * @param writeTimeout    seconds that queued bytes may wait for the program's stdin
 * @param finSignal       {@code tcp-fin-propagate}: the signal number, 0 when unset
 */
record CgiLimits(int readTimeout, int writeTimeout, int finSignal) {
    static final CgiLimits NONE = new CgiLimits(0, 0, 0);

    private static final String KEYS = "read-timeout, write-timeout, tcp-fin-propagate";
    private static final int SIGTERM = 15;

    /** Linux signal numbers by name (x86_64 and aarch64 agree on these). */
    private static final Map<String, Integer> SIGNALS = Map.ofEntries(
            Map.entry("HUP", 1), Map.entry("INT", 2), Map.entry("QUIT", 3), Map.entry("ILL", 4),
            Map.entry("TRAP", 5), Map.entry("ABRT", 6), Map.entry("BUS", 7), Map.entry("FPE", 8),
            Map.entry("KILL", 9), Map.entry("USR1", 10), Map.entry("SEGV", 11), Map.entry("USR2", 12),
            Map.entry("PIPE", 13), Map.entry("ALRM", 14), Map.entry("TERM", 15), Map.entry("CHLD", 17),
            Map.entry("CONT", 18), Map.entry("URG", 23), Map.entry("XCPU", 24), Map.entry("XFSZ", 25),
            Map.entry("WINCH", 28), Map.entry("POLL", 29), Map.entry("IO", 29));

    static final ValueType<CgiLimits> TYPE = CgiLimits::parse;

    private static CgiLimits parse(ConfigValue value) throws TypeMismatch {
        if (!(value instanceof ConfigValue.Arr arr)) {
            throw new TypeMismatch("expected ( \"key\" => value, ... ) with keys " + KEYS + ", got " + value.typeName());
        }
        int read = 0;
        int write = 0;
        int fin = 0;
        for (ConfigValue.Arr.Entry e : arr.entries()) {
            if (e.key() == null) {
                throw new TypeMismatch("expected \"key\" => value elements (keys: " + KEYS + ")");
            }
            switch (e.key().toLowerCase(Locale.ROOT)) {
                case "read-timeout" -> read = seconds(e);
                case "write-timeout" -> write = seconds(e);
                case "tcp-fin-propagate" -> fin = signal(e.value());
                default -> throw new TypeMismatch("unknown cgi.limits key \"" + e.key() + "\" (valid: " + KEYS + ")");
            }
        }
        return new CgiLimits(read, write, fin);
    }

    private static int seconds(ConfigValue.Arr.Entry e) throws TypeMismatch {
        try {
            return ValueType.INT.convert(e.value());
        } catch (TypeMismatch m) {
            throw new TypeMismatch("cgi.limits \"" + e.key() + "\": " + m.getMessage());
        }
    }

    /** A number, a name with or without "SIG" in any case, or any other string meaning SIGTERM (as lighttpd). */
    static int signal(ConfigValue v) throws TypeMismatch {
        return switch (v) {
            case ConfigValue.Int i -> (int) i.value();
            case ConfigValue.Str s -> {
                String t = s.value().strip().toUpperCase(Locale.ROOT);
                if (!t.isEmpty() && t.chars().allMatch(Character::isDigit) && t.length() < 4) {
                    yield Integer.parseInt(t);
                }
                if (t.startsWith("SIG")) {
                    t = t.substring(3);
                }
                yield SIGNALS.getOrDefault(t, SIGTERM);
            }
            case ConfigValue.Arr a -> throw new TypeMismatch("cgi.limits \"tcp-fin-propagate\": expected a signal, "
                    + "got an array");
        };
    }
}
