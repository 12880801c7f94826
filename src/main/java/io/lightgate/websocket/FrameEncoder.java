package io.lightgate.websocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** Writes RFC 6455 frame headers and whole control frames, server side (unmasked), minimal length encoding. */
public final class FrameEncoder {
    private FrameEncoder() { }

    /** The header of an unmasked frame with {@code length} payload bytes. */
    public static ByteBuf header(ByteBufAllocator alloc, boolean fin, int opcode, long length) {
        return header(alloc, fin, opcode, length, 0);
    }

    /** The header, in a buffer with room for {@code room} more bytes (payload the caller copies in after it). */
    public static ByteBuf header(ByteBufAllocator alloc, boolean fin, int opcode, long length, int room) {
        int size = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
        ByteBuf h = alloc.buffer(size + room, size + room);
        h.writeByte((fin ? 0x80 : 0) | opcode);
        if (length < 126) {
            h.writeByte((int) length);
        } else if (length <= 0xFFFF) {
            h.writeByte(126);
            h.writeShort((int) length);
        } else {
            h.writeByte(127);
            h.writeLong(length);
        }
        return h;
    }

    /** A close frame with {@code code} and a short UTF-8 reason (cut to fit 125 bytes). */
    public static ByteBuf close(ByteBufAllocator alloc, int code, String reason) {
        byte[] text = reason == null ? new byte[0] : reason.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int n = Math.min(text.length, 123);
        while (n > 0 && n < text.length && (text[n] & 0xC0) == 0x80) {
            n--; // never cut inside a UTF-8 sequence
        }
        ByteBuf f = alloc.buffer(4 + n);
        f.writeByte(0x80 | Opcode.CLOSE);
        f.writeByte(2 + n);
        f.writeShort(code);
        f.writeBytes(text, 0, n);
        return f;
    }

    /** A whole control frame (PING/PONG/CLOSE echo); takes ownership of {@code payload} (at most 125 bytes). */
    public static ByteBuf control(ByteBufAllocator alloc, int opcode, ByteBuf payload) {
        try {
            int n = payload.readableBytes();
            if (n > 125) {
                throw new IllegalArgumentException("control payload of " + n + " bytes");
            }
            ByteBuf f = alloc.buffer(2 + n);
            f.writeByte(0x80 | opcode);
            f.writeByte(n);
            f.writeBytes(payload, payload.readerIndex(), n);
            return f;
        } finally {
            payload.release();
        }
    }
}
