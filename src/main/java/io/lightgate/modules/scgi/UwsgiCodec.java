package io.lightgate.modules.scgi;

import io.lightgate.http.HttpText;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SequencedMap;

/**
 * The uwsgi request head: a 4-byte header (modifier1 0, the vars' size as 16-bit little-endian, modifier2 0),
 * then each variable as a 16-bit little-endian length and the name, the same for the value; then the body.
 * Encoded as lighttpd's mod_scgi does with {@code scgi.protocol = "uwsgi"}: the variables in the given order.
 */
public final class UwsgiCodec {
    /** Size of the packet header. */
    public static final int HEADER_BYTES = 4;
    /** Largest vars block the 16-bit size can announce. */
    public static final int MAX_VARS_BYTES = 0xFFFF;

    private UwsgiCodec() { }

    /**
     * Encodes {@code env} (byte strings). Vars over {@link #MAX_VARS_BYTES} are refused as too large (431); a name
     * or value over 65535 bytes, or an empty name, as invalid (400).
     */
    public static EncodedHead encodeHead(SequencedMap<String, String> env, ByteBufAllocator alloc) {
        long size = 0;
        for (Map.Entry<String, String> e : env.entrySet()) {
            String name = e.getKey();
            String value = e.getValue();
            if (name.isEmpty() || name.length() > 0xFFFF || value.length() > 0xFFFF) {
                return new EncodedHead.Refused(false, "uwsgi variable " + HttpText.printable(name, 60)
                        + (name.isEmpty() ? ": empty name" : ": longer than 65535 bytes"));
            }
            if (!ByteStrings.isBytes(name) || !ByteStrings.isBytes(value)) {
                return new EncodedHead.Refused(false, "variable " + HttpText.printable(name, 60) + " is not a byte string");
            }
            size += 2L + name.length() + 2L + value.length();
        }
        if (size > MAX_VARS_BYTES) {
            return new EncodedHead.Refused(true, "uwsgi vars of " + size + " bytes exceed " + MAX_VARS_BYTES);
        }
        ByteBuf out = alloc.buffer(HEADER_BYTES + (int) size);
        out.writeByte(0).writeShortLE((int) size).writeByte(0);
        for (Map.Entry<String, String> e : env.entrySet()) {
            out.writeShortLE(e.getKey().length()).writeCharSequence(e.getKey(), StandardCharsets.ISO_8859_1);
            out.writeShortLE(e.getValue().length()).writeCharSequence(e.getValue(), StandardCharsets.ISO_8859_1);
        }
        return new EncodedHead.Encoded(out);
    }
}
