package io.lightgate.modules.fastcgi;

import io.lightgate.http.HttpText;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;

/**
 * FastCGI name-value pairs: name length, value length, name, value; a length under 128 is one byte, otherwise
 * four bytes with the top bit set. Names and values are byte strings (one ISO-8859-1 char per byte).
 */
final class NameValuePairs {
    private NameValuePairs() { }

    /** Encoded size of {@code pairs}. */
    static long size(SequencedMap<String, String> pairs) {
        long size = 0;
        for (Map.Entry<String, String> e : pairs.entrySet()) {
            size += lengthSize(e.getKey().length()) + lengthSize(e.getValue().length())
                    + e.getKey().length() + e.getValue().length();
        }
        return size;
    }

    /** Why {@code pairs} cannot be encoded, or null. */
    static String problem(SequencedMap<String, String> pairs) {
        for (Map.Entry<String, String> e : pairs.entrySet()) {
            if (e.getKey().isEmpty()) {
                return "empty variable name";
            }
            if (!isBytes(e.getKey()) || !isBytes(e.getValue())) {
                return "variable " + HttpText.printable(e.getKey(), 60) + " is not a byte string";
            }
        }
        return null;
    }

    static void write(ByteBuf out, SequencedMap<String, String> pairs) {
        for (Map.Entry<String, String> e : pairs.entrySet()) {
            writeLength(out, e.getKey().length());
            writeLength(out, e.getValue().length());
            out.writeCharSequence(e.getKey(), StandardCharsets.ISO_8859_1);
            out.writeCharSequence(e.getValue(), StandardCharsets.ISO_8859_1);
        }
    }

    private static int lengthSize(int length) {
        return length < 128 ? 1 : 4;
    }

    private static void writeLength(ByteBuf out, int length) {
        if (length < 128) {
            out.writeByte(length);
        } else {
            out.writeInt(length | 0x80000000);
        }
    }

    /**
     * Reads the pairs filling {@code [from, to)} of {@code in} into {@code into} (no reader index moves); returns
     * why they are malformed (truncated, empty or repeated name), or null.
     */
    static String read(ByteBuf in, int from, int to, SequencedMap<String, String> into) {
        int at = from;
        while (at < to) {
            int nameWidth = lengthWidth(in, at, to);
            int valueWidth = nameWidth < 0 ? -1 : lengthWidth(in, at + nameWidth, to);
            if (valueWidth < 0) {
                return "name-value pair ends inside a length";
            }
            long nameLength = length(in, at, nameWidth);
            long valueLength = length(in, at + nameWidth, valueWidth);
            at += nameWidth + valueWidth;
            if (nameLength == 0) {
                return "name-value pair with an empty name";
            }
            if (to - at < nameLength + valueLength) {
                return "name-value pair longer than its record";
            }
            String name = in.toString(at, (int) nameLength, StandardCharsets.ISO_8859_1);
            at += (int) nameLength;
            String value = in.toString(at, (int) valueLength, StandardCharsets.ISO_8859_1);
            at += (int) valueLength;
            if (into.putIfAbsent(name, value) != null) {
                return "variable " + HttpText.printable(name, 60) + " given twice";
            }
        }
        return null;
    }

    /** 1 or 4: the width of the length at {@code at}; -1 when it does not fit before {@code to}. */
    private static int lengthWidth(ByteBuf in, int at, int to) {
        if (at >= to) {
            return -1;
        }
        int width = in.getUnsignedByte(at) < 128 ? 1 : 4;
        return to - at < width ? -1 : width;
    }

    /** The length at {@code at} (a 4-byte length may be under 128: accepted). */
    private static long length(ByteBuf in, int at, int width) {
        return width == 1 ? in.getUnsignedByte(at) : in.getUnsignedInt(at) & 0x7FFFFFFFL;
    }

    static boolean isBytes(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xFF) {
                return false;
            }
        }
        return true;
    }

    static SequencedMap<String, String> newMap() {
        return new LinkedHashMap<>();
    }
}
