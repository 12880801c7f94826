package io.lightgate.modules.accesslog;

import java.nio.charset.StandardCharsets;

/**
 * {@code accesslog.escaping}: how request-supplied text is written (lighttpd buffer.c).
 * DEFAULT: bytes outside printable ASCII, '"' and '\' are escaped ({@code \n}, {@code \"}, backslash-x-HH).
 * JSON: control bytes, '"' and '\' are escaped ({@code \n}, backslash-u00HH); other bytes pass, so a
 * UTF-8 value stays readable inside a JSON string.
 */
public enum LogEscaping {
    DEFAULT, JSON;

    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    /** "json" selects JSON; any other value the default, as lighttpd does. */
    public static LogEscaping of(String configured) {
        return "json".equals(configured) ? JSON : DEFAULT;
    }

    /**
     * Appends {@code s} escaped. Header values arrive as ISO-8859-1 (one char per byte); any char above
     * 0xFF (a decoded path) is written as its UTF-8 bytes, each then escaped like any byte.
     */
    void append(LineBuffer out, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0xFF) {
                appendByte(out, c);
            } else {
                int end = Character.isHighSurrogate(c) && i + 1 < s.length() ? i + 2 : i + 1;
                for (byte b : s.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
                    appendByte(out, b & 0xFF);
                }
                i = end - 1;
            }
        }
    }

    private void appendByte(LineBuffer out, int c) {
        boolean plain = this == DEFAULT
                ? c >= ' ' && c <= '~' && c != '"' && c != '\\'
                : c >= ' ' && c != '"' && c != '\\';
        if (plain) {
            out.append((byte) c);
            return;
        }
        char shortcut = switch (c) {
            case 0x07 -> 'a';
            case '\b' -> 'b';
            case '\t' -> 't';
            case '\n' -> 'n';
            case 0x0b -> 'v';
            case '\f' -> 'f';
            case '\r' -> 'r';
            case '"' -> '"';
            case '\\' -> '\\';
            default -> 0;
        };
        out.append((byte) '\\');
        if (shortcut != 0) {
            out.append((byte) shortcut);
        } else if (this == DEFAULT) {
            out.append((byte) 'x');
            out.append(HEX[c >> 4]);
            out.append(HEX[c & 0xF]);
        } else {
            out.appendAscii("u00");
            out.append(HEX[c >> 4]);
            out.append(HEX[c & 0xF]);
        }
    }
}
