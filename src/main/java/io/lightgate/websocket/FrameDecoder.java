package io.lightgate.websocket;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * RFC 6455 §5 frame decoder, strict, as a pure state machine (no channel, no module knowledge). Feed it
 * cumulated input with {@link #decode}: it consumes whole headers only, streams data-frame payload as it
 * arrives (unmasked in place, a word at a time), delivers control frames whole, and reports the first
 * violation with the close code the connection must be failed with. Rules: client frames masked (server
 * frames unmasked when decoding as a client); RSV bits zero (no extension is negotiated); no reserved
 * opcodes; control frames at most 125 bytes and never fragmented; continuation only inside a fragmented
 * message and no new data frame inside one; 64-bit lengths with the top bit clear; text messages valid UTF-8,
 * checked incrementally across fragments (1007 at the first bad byte); close payload: empty, or a valid code
 * plus UTF-8 reason.
 */
public final class FrameDecoder {

    /** Receives what the decoder finds. Buffers passed in are owned by the listener. */
    public interface Listener {
        /** A data frame begins; {@code messageOpcode} is TEXT or BINARY (also for continuations). */
        void onDataFrameStart(int messageOpcode, boolean firstOfMessage, boolean fin, long length);

        /** Unmasked payload of the current data frame, possibly a part of it. */
        void onData(ByteBuf payload);

        /** The current data frame is complete; {@code endOfMessage} when its FIN bit was set. */
        void onDataFrameEnd(boolean endOfMessage);

        /** A whole PING, PONG or CLOSE frame (close payload already validated). */
        void onControlFrame(int opcode, ByteBuf payload);

        /** A violation: fail the connection with {@code closeCode}. The decoder stops. */
        void onViolation(int closeCode, String reason);
    }

    private enum State { HEADER, PAYLOAD, FAILED }

    /** Payloads at least this long are unmasked through a NIO view (cheaper per word, one object per call). */
    private static final int VIEW_MIN = 64;

    private final boolean expectMasked;
    private State state = State.HEADER;

    // current frame
    private int opcode;
    private boolean fin;
    private boolean masked;
    private int maskKey;
    private long remaining;
    private long payloadOffset;

    // current message
    private int messageOpcode = -1;
    private final Utf8Validator utf8 = new Utf8Validator();

    /** @param expectMasked true on the server side (client frames must be masked), false on a client. */
    public FrameDecoder(boolean expectMasked) {
        this.expectMasked = expectMasked;
    }

    public boolean hasFailed() {
        return state == State.FAILED;
    }

    /** Whether a fragmented message is open (a FIN frame is still due). */
    public boolean inMessage() {
        return messageOpcode != -1;
    }

    /** Consumes what it can from {@code in}; leaves an incomplete header (or control frame) unread. */
    public void decode(ByteBuf in, Listener listener) {
        while (in.isReadable()) {
            switch (state) {
                case FAILED -> {
                    in.skipBytes(in.readableBytes());
                    return;
                }
                case HEADER -> {
                    if (!readHeader(in, listener)) {
                        return;
                    }
                }
                case PAYLOAD -> {
                    if (!readPayload(in, listener)) {
                        return;
                    }
                }
            }
        }
    }

    /** Parses one header if all of it is readable; false when more bytes are needed or on failure. */
    private boolean readHeader(ByteBuf in, Listener listener) {
        int start = in.readerIndex();
        if (in.readableBytes() < 2) {
            return false;
        }
        int b0 = in.getUnsignedByte(start);
        int b1 = in.getUnsignedByte(start + 1);
        int lengthCode = b1 & 0x7F;
        boolean hasMask = (b1 & 0x80) != 0;
        int headerLength = 2 + (lengthCode == 126 ? 2 : lengthCode == 127 ? 8 : 0) + (hasMask ? 4 : 0);
        // Checks that need only the first two bytes fail fast, even before the rest of the header arrives.
        if (checkFirstBytes(b0, hasMask, lengthCode, listener) || in.readableBytes() < headerLength) {
            return false;
        }
        long length;
        int at = start + 2;
        if (lengthCode == 126) {
            length = in.getUnsignedShort(at);
            at += 2;
        } else if (lengthCode == 127) {
            length = in.getLong(at);
            at += 8;
            if (length < 0) {
                return fail(listener, CloseStatus.PROTOCOL_ERROR, "64-bit payload length with the top bit set");
            }
        } else {
            length = lengthCode;
        }
        int op = b0 & 0x0F;
        if (Opcode.isControl(op) && in.readableBytes() < headerLength + length) {
            return false; // control frames are delivered whole (at most 125 bytes)
        }
        fin = (b0 & 0x80) != 0;
        opcode = op;
        masked = hasMask;
        maskKey = hasMask ? in.getInt(at) : 0;
        remaining = length;
        payloadOffset = 0;
        in.readerIndex(start + headerLength);
        if (Opcode.isControl(op)) {
            return readControlFrame(in, listener);
        }
        boolean first = op != Opcode.CONTINUATION;
        if (first) {
            messageOpcode = op;
            utf8.reset();
        }
        state = State.PAYLOAD;
        listener.onDataFrameStart(messageOpcode, first, fin, length);
        if (length == 0) {
            finishDataFrame(listener);
        }
        return true;
    }

    /** The rules that the first two header bytes decide; true (and reported) on a violation. */
    private boolean checkFirstBytes(int b0, boolean hasMask, int lengthCode, Listener listener) {
        int op = b0 & 0x0F;
        if ((b0 & 0x70) != 0) {
            return !fail(listener, CloseStatus.PROTOCOL_ERROR, "RSV bits set without a negotiated extension");
        }
        if (!Opcode.isKnown(op)) {
            return !fail(listener, CloseStatus.PROTOCOL_ERROR, "reserved opcode 0x" + Integer.toHexString(op));
        }
        if (hasMask != expectMasked) {
            return !fail(listener, CloseStatus.PROTOCOL_ERROR,
                    expectMasked ? "unmasked frame from a client" : "masked frame from a server");
        }
        if (Opcode.isControl(op)) {
            if ((b0 & 0x80) == 0) {
                return !fail(listener, CloseStatus.PROTOCOL_ERROR, "fragmented control frame");
            }
            if (lengthCode > 125) {
                return !fail(listener, CloseStatus.PROTOCOL_ERROR, "control frame longer than 125 bytes");
            }
        } else if (op == Opcode.CONTINUATION && messageOpcode == -1) {
            return !fail(listener, CloseStatus.PROTOCOL_ERROR, "continuation frame without a message");
        } else if (op != Opcode.CONTINUATION && messageOpcode != -1) {
            return !fail(listener, CloseStatus.PROTOCOL_ERROR, "new data frame inside a fragmented message");
        }
        return false;
    }

    private boolean readControlFrame(ByteBuf in, Listener listener) {
        int length = (int) remaining;
        ByteBuf payload = in.readRetainedSlice(length);
        unmask(payload, payload.readerIndex(), length, 0);
        if (opcode == Opcode.CLOSE) {
            String problem = closePayloadProblem(payload);
            if (problem != null) {
                int code = problem.startsWith("reason") ? CloseStatus.INVALID_PAYLOAD : CloseStatus.PROTOCOL_ERROR;
                payload.release();
                return fail(listener, code, problem);
            }
        }
        state = State.HEADER;
        listener.onControlFrame(opcode, payload);
        return true;
    }

    private static String closePayloadProblem(ByteBuf payload) {
        int n = payload.readableBytes();
        if (n == 0) {
            return null;
        }
        if (n == 1) {
            return "close payload of one byte";
        }
        int code = payload.getUnsignedShort(payload.readerIndex());
        if (!CloseStatus.isValidOnTheWire(code)) {
            return "invalid close code " + code;
        }
        Utf8Validator v = new Utf8Validator();
        if (!v.feed(payload, payload.readerIndex() + 2, n - 2) || !v.isComplete()) {
            return "reason in the close frame is not valid UTF-8";
        }
        return null;
    }

    private boolean readPayload(ByteBuf in, Listener listener) {
        int n = (int) Math.min(remaining, in.readableBytes());
        if (n > 0) {
            int index = in.readerIndex();
            unmask(in, index, n, payloadOffset);
            if (messageOpcode == Opcode.TEXT && !utf8.feed(in, index, n)) {
                return fail(listener, CloseStatus.INVALID_PAYLOAD, "text message is not valid UTF-8");
            }
            remaining -= n;
            payloadOffset += n;
            listener.onData(in.readRetainedSlice(n));
        }
        if (remaining == 0) {
            finishDataFrame(listener);
            return state != State.FAILED;
        }
        return false;
    }

    private void finishDataFrame(Listener listener) {
        if (fin && messageOpcode == Opcode.TEXT && !utf8.isComplete()) {
            fail(listener, CloseStatus.INVALID_PAYLOAD, "text message ends inside a UTF-8 sequence");
            return;
        }
        state = State.HEADER;
        boolean end = fin;
        if (end) {
            messageOpcode = -1;
        }
        listener.onDataFrameEnd(end);
    }

    private boolean fail(Listener listener, int code, String reason) {
        state = State.FAILED;
        listener.onViolation(code, reason);
        return false;
    }

    /**
     * XORs {@code length} bytes at {@code index} with the mask key, starting {@code offset} bytes into the
     * frame's payload. Eight bytes per step: the 4-byte key is rotated to the offset and doubled into a long.
     */
    private void unmask(ByteBuf buf, int index, int length, long offset) {
        if (!masked || length == 0) {
            return;
        }
        int rotation = (int) (offset & 3) * 8;
        int key = rotation == 0 ? maskKey : (maskKey << rotation) | (maskKey >>> (32 - rotation));
        int done = length >= VIEW_MIN && (buf.isDirect() || buf.hasArray()) && !buf.isReadOnly()
                && buf.nioBufferCount() == 1 ? unmaskView(buf.nioBuffer(index, length), key) : 0;
        long key64 = ((long) key << 32) | (key & 0xFFFFFFFFL);
        int i = index + done;
        int end = index + length;
        for (; i + 8 <= end; i += 8) {
            buf.setLong(i, buf.getLong(i) ^ key64);
        }
        for (int k = 0; i < end; i++, k++) {
            int shift = 24 - (k & 3) * 8;
            buf.setByte(i, buf.getByte(i) ^ (key >>> shift));
        }
    }

    /**
     * Unmasks whole words through one NIO view of the payload (which shares the buffer's memory: direct or
     * array-backed), little-endian: no ByteBuf bounds and reference checks per word and no byte swapping on
     * x86 (per-word ByteBuf access was a fifth of the event loop in the 4 KiB pipeline shape). Returns the bytes done (a multiple of 8).
     */
    private static int unmaskView(ByteBuffer view, int key) {
        if (view.isReadOnly()) {
            return 0;
        }
        view.order(ByteOrder.LITTLE_ENDIAN);
        int keyLittleEndian = Integer.reverseBytes(key);
        long key64 = ((long) keyLittleEndian << 32) | (keyLittleEndian & 0xFFFFFFFFL);
        int base = view.position();
        int words = (view.remaining() & ~7);
        for (int i = base; i < base + words; i += 8) {
            view.putLong(i, view.getLong(i) ^ key64);
        }
        return words;
    }
}
