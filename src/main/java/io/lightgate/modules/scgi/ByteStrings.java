package io.lightgate.modules.scgi;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** Helpers for names and values carried as byte strings (one ISO-8859-1 char per byte, so every byte survives). */
final class ByteStrings {
    private ByteStrings() { }

    /** Whether every char fits in one byte. */
    static boolean isBytes(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xFF) {
                return false;
            }
        }
        return true;
    }

    static String read(ByteBuf b, int index, int length) {
        return b.toString(index, length, StandardCharsets.ISO_8859_1);
    }

    /** A decimal of 1 to 18 digits, else -1. */
    static long digits(String v) {
        if (v.isEmpty() || v.length() > 18) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    /** At most 60 chars, control and non-ASCII bytes escaped: for error messages. */
    static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(s.length(), 60); i++) {
            char c = s.charAt(i);
            out.append(c < 0x20 || c >= 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return out.toString();
    }
}
