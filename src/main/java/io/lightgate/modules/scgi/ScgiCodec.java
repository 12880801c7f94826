package io.lightgate.modules.scgi;

import io.lightgate.http.HttpText;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SequencedMap;

/**
 * The SCGI request head (python.ca/scgi protocol): a netstring {@code <length>:<pairs>,} whose pairs are
 * NUL-terminated names and values, then the body. Encoded as lighttpd's mod_scgi does: {@code CONTENT_LENGTH}
 * first, the other variables in the given order, {@code SCGI} = {@code 1} last.
 */
public final class ScgiCodec {
    private static final String CONTENT_LENGTH = "CONTENT_LENGTH";
    private static final String SCGI = "SCGI";

    private ScgiCodec() { }

    /**
     * Encodes {@code env} (byte strings; must hold a decimal {@code CONTENT_LENGTH}). An {@code SCGI} entry of
     * {@code env} is dropped: the protocol's own {@code SCGI=1} ends the head. Names must be non-empty; NUL is
     * refused in names and values (it is the separator).
     */
    public static EncodedHead encodeHead(SequencedMap<String, String> env, ByteBufAllocator alloc) {
        String contentLength = env.get(CONTENT_LENGTH);
        if (contentLength == null || HttpText.decimal(contentLength) < 0) {
            return new EncodedHead.Refused(false, "SCGI needs a decimal CONTENT_LENGTH");
        }
        long length = pairLength(CONTENT_LENGTH, contentLength) + pairLength(SCGI, "1");
        for (Map.Entry<String, String> e : env.entrySet()) {
            String problem = problem(e.getKey(), e.getValue());
            if (problem != null) {
                return new EncodedHead.Refused(false, problem);
            }
            if (!e.getKey().equals(CONTENT_LENGTH) && !e.getKey().equals(SCGI)) {
                length += pairLength(e.getKey(), e.getValue());
            }
        }
        String prefix = length + ":";
        if (length + prefix.length() + 1 > Integer.MAX_VALUE - 8) {
            return new EncodedHead.Refused(true, "SCGI head too large");
        }
        ByteBuf out = alloc.buffer((int) length + prefix.length() + 1);
        out.writeCharSequence(prefix, StandardCharsets.ISO_8859_1);
        writePair(out, CONTENT_LENGTH, contentLength);
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (!e.getKey().equals(CONTENT_LENGTH) && !e.getKey().equals(SCGI)) {
                writePair(out, e.getKey(), e.getValue());
            }
        }
        writePair(out, SCGI, "1");
        out.writeByte(',');
        return new EncodedHead.Encoded(out);
    }

    private static String problem(String name, String value) {
        if (name.isEmpty()) {
            return "empty variable name";
        }
        if (name.indexOf('\0') >= 0 || value.indexOf('\0') >= 0) {
            return "NUL byte in variable " + HttpText.printable(name, 60);
        }
        if (!ByteStrings.isBytes(name) || !ByteStrings.isBytes(value)) {
            return "variable " + HttpText.printable(name, 60) + " is not a byte string";
        }
        return null;
    }

    private static long pairLength(String name, String value) {
        return name.length() + 1L + value.length() + 1L;
    }

    private static void writePair(ByteBuf out, String name, String value) {
        out.writeCharSequence(name, StandardCharsets.ISO_8859_1);
        out.writeByte(0);
        out.writeCharSequence(value, StandardCharsets.ISO_8859_1);
        out.writeByte(0);
    }
}
