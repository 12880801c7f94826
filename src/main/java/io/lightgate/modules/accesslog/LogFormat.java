package io.lightgate.modules.accesslog;

import io.lightgate.config.ValueType;
import java.util.ArrayList;
import java.util.List;

/**
 * A parsed {@code accesslog.format}: literal text and Apache-style {@code %} directives as lighttpd's
 * mod_accesslog knows them. Parsed once when the config is typed; an unknown directive or a bad
 * argument is a start-up error that names it.
 */
public record LogFormat(List<Field> fields) {

    /** lighttpd's default: %h %V %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i". */
    public static final String DEFAULT_TEXT = "%h %V %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"";

    public static final LogFormat DEFAULT = parseOrThrow(DEFAULT_TEXT);

    /** The config type of {@code accesslog.format}: a string parsed into a LogFormat. */
    public static final ValueType<LogFormat> TYPE = v -> {
        String text = ValueType.STRING.convert(v);
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new ValueType.TypeMismatch(e.getMessage());
        }
    };

    public LogFormat {
        fields = List.copyOf(fields);
    }

    /** What a directive prints. */
    public enum Kind {
        REMOTE_ADDR, REMOTE_ADDR_MASKED, LOCAL_ADDR, LOCAL_PORT, REMOTE_PORT,
        BYTES_BODY, BYTES_IN, BYTES_OUT, COOKIE, ENV, FILENAME, PROTOCOL, REQUEST_HEADER, RESPONSE_HEADER,
        KEEPALIVE_COUNT, METHOD, QUERY, REQUEST_LINE, STATUS, TIMESTAMP, TIME_USED, URL_PATH, SERVER_NAME,
        HTTP_HOST, CONNECTION_STATUS,
        /** lighttpd knows it but has nothing to print (%P: one process). */
        NOTHING
    }

    /** Units for %T and the numeric forms of %{...}t. */
    public enum TimeUnit { SEC, MSEC, USEC, NSEC, MSEC_FRAC, USEC_FRAC, NSEC_FRAC }

    public sealed interface Field permits Literal, Directive { }

    public record Literal(String text) implements Field { }

    /**
     * One directive. {@code arg} is the {@code {...}} text (header, cookie or variable name, or the
     * strftime pattern of %t); {@code unit} is set for %T and numeric %t; {@code atStart} for
     * %{begin:...}t.
     */
    public record Directive(Kind kind, String arg, TimeUnit unit, boolean atStart) implements Field { }

    private static LogFormat parseOrThrow(String text) {
        return parse(text);
    }

    /** Parses a format; throws IllegalArgumentException naming the offending directive. */
    public static LogFormat parse(String raw) {
        String format = unescapeBackslashes(raw);
        List<Field> fields = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int n = format.length();
        int i = 0;
        while (i < n) {
            char c = format.charAt(i);
            if (c != '%') {
                literal.append(c);
                i++;
                continue;
            }
            int start = i;
            i++;
            if (i == n) {
                throw new IllegalArgumentException("accesslog.format: '%' at the end must be followed by a directive");
            }
            String arg = null;
            if (format.charAt(i) == '{') {
                int close = format.indexOf('}', i + 1);
                if (close < 0 || close == i + 1) {
                    throw new IllegalArgumentException(
                            "accesslog.format: %{...} must contain a string and be closed by '}' at: "
                                    + format.substring(start));
                }
                arg = format.substring(i + 1, close);
                i = close + 1;
            } else {
                if (format.charAt(i) == '<' || format.charAt(i) == '>') {
                    i++; // %>s and %<s: the final status either way
                }
                if (i < n && (format.charAt(i) == '%' || format.charAt(i) == 'l')) {
                    literal.append(format.charAt(i) == '%' ? '%' : '-'); // %l: no ident, always "-"
                    i++;
                    continue;
                }
            }
            if (i == n) {
                throw new IllegalArgumentException("accesslog.format: " + format.substring(start)
                        + " must be followed by a directive letter");
            }
            char code = format.charAt(i++);
            Field f = directive(code, arg, format.substring(start, i));
            if (f instanceof Literal l) {
                literal.append(l.text());
                continue;
            }
            if (!literal.isEmpty()) {
                fields.add(new Literal(literal.toString()));
                literal.setLength(0);
            }
            fields.add(f);
        }
        if (!literal.isEmpty()) {
            fields.add(new Literal(literal.toString()));
        }
        return new LogFormat(fields);
    }

    private static Field directive(char code, String arg, String text) {
        boolean blank = arg == null || arg.isBlank();
        return switch (code) {
            case 'a', 'h' -> {
                if (blank) {
                    yield plain(Kind.REMOTE_ADDR);
                }
                if (arg.equals("mask")) {
                    yield plain(Kind.REMOTE_ADDR_MASKED);
                }
                throw new IllegalArgumentException("accesslog.format: invalid " + text + " (only %{mask}a)");
            }
            case 'A' -> plain(Kind.LOCAL_ADDR);
            case 'b', 'B' -> plain(Kind.BYTES_BODY);
            case 'C' -> blank ? new Literal("") : new Directive(Kind.COOKIE, arg, null, false);
            case 'D' -> new Directive(Kind.TIME_USED, null, TimeUnit.USEC, false);
            case 'e', 'n' -> blank ? new Literal("") : new Directive(Kind.ENV, arg, null, false);
            case 'u' -> new Directive(Kind.ENV, "REMOTE_USER", null, false);
            case 'f' -> plain(Kind.FILENAME);
            case 'H' -> plain(Kind.PROTOCOL);
            case 'i' -> blank ? new Literal("") : new Directive(Kind.REQUEST_HEADER, arg, null, false);
            case 'o' -> blank ? new Literal("") : new Directive(Kind.RESPONSE_HEADER, arg, null, false);
            case 'I' -> plain(Kind.BYTES_IN);
            case 'O' -> plain(Kind.BYTES_OUT);
            case 'k' -> plain(Kind.KEEPALIVE_COUNT);
            case 'm' -> plain(Kind.METHOD);
            case 'p' -> {
                if (blank || arg.equals("canonical") || arg.equals("local")) {
                    yield plain(Kind.LOCAL_PORT);
                }
                if (arg.equals("remote")) {
                    yield plain(Kind.REMOTE_PORT);
                }
                throw new IllegalArgumentException("accesslog.format: invalid " + text
                        + " (expected %{canonical}p, %{local}p or %{remote}p)");
            }
            case 'P' -> plain(Kind.NOTHING);
            case 'q' -> plain(Kind.QUERY);
            case 'r' -> plain(Kind.REQUEST_LINE);
            case 's' -> plain(Kind.STATUS);
            case 't' -> timestamp(arg, text);
            case 'T' -> new Directive(Kind.TIME_USED, null, timeUsedUnit(arg, text), false);
            case 'U' -> plain(Kind.URL_PATH);
            case 'v' -> plain(Kind.SERVER_NAME);
            case 'V' -> plain(Kind.HTTP_HOST);
            case 'X' -> plain(Kind.CONNECTION_STATUS);
            default -> throw new IllegalArgumentException("accesslog.format: unknown directive " + text);
        };
    }

    private static Directive plain(Kind kind) {
        return new Directive(kind, null, null, false);
    }

    private static Directive timestamp(String arg, String text) {
        if (arg == null || arg.isBlank()) {
            return new Directive(Kind.TIMESTAMP, null, null, false);
        }
        boolean atStart = false;
        String spec = arg;
        if (spec.startsWith("begin:")) {
            atStart = true;
            spec = spec.substring(6);
        } else if (spec.startsWith("end:")) {
            spec = spec.substring(4);
        }
        TimeUnit unit = switch (spec) {
            case "sec" -> TimeUnit.SEC;
            case "msec" -> TimeUnit.MSEC;
            case "usec" -> TimeUnit.USEC;
            case "nsec" -> TimeUnit.NSEC;
            case "msec_frac" -> TimeUnit.MSEC_FRAC;
            case "usec_frac" -> TimeUnit.USEC_FRAC;
            case "nsec_frac" -> TimeUnit.NSEC_FRAC;
            default -> null;
        };
        if (unit == null && spec.indexOf('%') < 0) {
            throw new IllegalArgumentException("accesslog.format: constant string for time format "
                    + "(misspelled token? or missing '%'): " + text);
        }
        return new Directive(Kind.TIMESTAMP, unit == null ? spec : null, unit, atStart);
    }

    private static TimeUnit timeUsedUnit(String arg, String text) {
        if (arg == null || arg.isBlank()) {
            return TimeUnit.SEC;
        }
        return switch (arg) {
            case "s", "sec" -> TimeUnit.SEC;
            case "ms", "msec" -> TimeUnit.MSEC;
            case "us", "usec" -> TimeUnit.USEC;
            case "ns", "nsec" -> TimeUnit.NSEC;
            default -> throw new IllegalArgumentException("accesslog.format: invalid time unit in " + text);
        };
    }

    /** lighttpd turns \n, \t and friends in the format into the characters; other \x into x. */
    static String unescapeBackslashes(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (i + 1 == s.length()) {
                continue; // a dangling backslash is dropped
            }
            char e = s.charAt(++i);
            b.append(switch (e) {
                case 'a' -> '\u0007';
                case 'b' -> '\b';
                case 'f' -> '\f';
                case 'n' -> '\n';
                case 'r' -> '\r';
                case 't' -> '\t';
                case 'v' -> '\u000b';
                default -> e;
            });
        }
        return b.toString();
    }
}
