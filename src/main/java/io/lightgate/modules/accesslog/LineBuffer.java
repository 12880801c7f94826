package io.lightgate.modules.accesslog;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable byte buffer for one log line (log lines are bytes: escaped header bytes stay bytes). */
final class LineBuffer {
    private byte[] bytes = new byte[256];
    private int length;

    void append(byte b) {
        if (length == bytes.length) {
            bytes = Arrays.copyOf(bytes, bytes.length * 2);
        }
        bytes[length++] = b;
    }

    /** Appends text known to be ASCII (numbers, fixed words). */
    void appendAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            append((byte) s.charAt(i));
        }
    }

    /** Appends literal format text as UTF-8, unescaped (the admin wrote it). */
    void appendUtf8(String s) {
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            append(b);
        }
    }

    void append(long n) {
        appendAscii(Long.toString(n));
    }

    byte[] toByteArray() {
        return Arrays.copyOf(bytes, length);
    }

    @Override
    public String toString() {
        return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
    }
}
