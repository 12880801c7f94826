package io.lightgate.websocket;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;

/**
 * Incremental UTF-8 validation (RFC 3629) for text messages that arrive in pieces: feed bytes as they come,
 * across frames and fragments, and learn at the first byte that can no longer be part of valid UTF-8
 * (RFC 6455 §8.1: fail fast with 1007). Rejects overlong forms, surrogates and code points above U+10FFFF.
 */
public final class Utf8Validator {
    /** Inputs at least this long are read through a NIO view (cheaper per word, one object per call). */
    private static final int VIEW_MIN = 64;

    /** Continuation bytes still expected for the current sequence. */
    private int pending;
    /** Allowed range of the next byte (tightened after E0, ED, F0, F4 leads). */
    private int nextMin = 0x80;
    private int nextMax = 0xBF;

    /** Feeds {@code buf}'s readable bytes without consuming them; false at the first invalid byte. */
    public boolean feed(ByteBuf buf) {
        return feed(buf, buf.readerIndex(), buf.readableBytes());
    }

    public boolean feed(ByteBuf buf, int index, int length) {
        if (length >= VIEW_MIN && buf.nioBufferCount() == 1) {
            return feed(buf.nioBuffer(index, length));
        }
        int end = index + length;
        int i = index;
        while (i < end) {
            if (pending == 0) {
                // Fast path: skip ASCII a long word at a time.
                while (i + 8 <= end && (buf.getLong(i) & 0x8080808080808080L) == 0) {
                    i += 8;
                }
                if (i >= end) {
                    break;
                }
            }
            if (!accept(buf.getByte(i) & 0xFF)) {
                return false;
            }
            i++;
        }
        return true;
    }

    /**
     * The same through one NIO view: no ByteBuf bounds and reference checks per word (the ASCII test does not
     * depend on byte order, so the view's order does not matter).
     */
    private boolean feed(ByteBuffer view) {
        int end = view.limit();
        int i = view.position();
        while (i < end) {
            if (pending == 0) {
                while (i + 8 <= end && (view.getLong(i) & 0x8080808080808080L) == 0) {
                    i += 8;
                }
                if (i >= end) {
                    break;
                }
            }
            if (!accept(view.get(i) & 0xFF)) {
                return false;
            }
            i++;
        }
        return true;
    }

    public boolean feed(byte[] bytes, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (!accept(bytes[i] & 0xFF)) {
                return false;
            }
        }
        return true;
    }

    /** True when no multi-byte sequence is open: the end of a text message is valid here. */
    public boolean isComplete() {
        return pending == 0;
    }

    public void reset() {
        pending = 0;
        nextMin = 0x80;
        nextMax = 0xBF;
    }

    private boolean accept(int b) {
        if (pending > 0) {
            if (b < nextMin || b > nextMax) {
                return false;
            }
            pending--;
            nextMin = 0x80;
            nextMax = 0xBF;
            return true;
        }
        if (b < 0x80) {
            return true;
        }
        if (b < 0xC2) {
            return false; // continuation byte without a lead, or overlong 2-byte lead C0/C1
        }
        if (b < 0xE0) {
            pending = 1;
        } else if (b < 0xF0) {
            pending = 2;
            if (b == 0xE0) {
                nextMin = 0xA0; // overlong
            } else if (b == 0xED) {
                nextMax = 0x9F; // UTF-16 surrogates
            }
        } else if (b < 0xF5) {
            pending = 3;
            if (b == 0xF0) {
                nextMin = 0x90; // overlong
            } else if (b == 0xF4) {
                nextMax = 0x8F; // above U+10FFFF
            }
        } else {
            return false;
        }
        return true;
    }
}
