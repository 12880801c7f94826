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
}
