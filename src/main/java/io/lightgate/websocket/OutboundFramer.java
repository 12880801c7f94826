package io.lightgate.websocket;

import io.lightgate.http.ByteStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Turns the bytes written to a WebSocket (a backend's output, in arbitrary chunks) into whole (FIN) data
 * frames of one type, one frame per write. In text mode every frame sent is valid UTF-8 on its own: an
 * incomplete sequence at the end of a write (at most 3 bytes) is held until the next write completes it, and a
 * write that cannot be UTF-8 (with the held bytes before it) goes out as a binary frame instead, reported once.
 * Payloads above {@value #COPY_LIMIT} bytes are never copied: the header goes out as its own buffer.
 */
final class OutboundFramer {
    /** Small payloads are copied behind the header: one buffer and one write instead of two. */
    static final int COPY_LIMIT = 512;

    private final ByteBufAllocator alloc;
    private final boolean text;
    private final Runnable onNotUtf8;
    private final Utf8Validator utf8 = new Utf8Validator();
    /** The start of a UTF-8 sequence that the last write left open (text mode only). */
    private final byte[] held = new byte[3];
    /** Scratch for the open sequence at the end of a write (no allocation per write). */
    private final byte[] tail = new byte[3];
    private int heldLength;
    private boolean reported;

    /**
     * @param text      frames are TEXT (else BINARY)
     * @param onNotUtf8 told the first time a write in text mode had to go out as a binary frame
     */
    OutboundFramer(ByteBufAllocator alloc, boolean text, Runnable onNotUtf8) {
        this.alloc = alloc;
        this.text = text;
        this.onNotUtf8 = onNotUtf8;
    }

    /** Frames {@code data} (ownership taken) and writes the frame(s) to {@code out}, without flushing. */
    void write(ByteBuf data, ByteStream out) {
        if (!text) {
            if (data.isReadable()) {
                emit(out, Opcode.BINARY, data);
            } else {
                data.release();
            }
            return;
        }
        utf8.reset();
        boolean valid = utf8.feed(held, 0, heldLength) && utf8.feed(data);
        if (!valid) {
            reportOnce();
            emit(out, Opcode.BINARY, data);
            return;
        }
        int n = data.readableBytes();
        int keep = utf8.isComplete() ? 0 : openSequenceLength(data);
        if (keep == heldLength + n) {
            // Nothing complete yet: everything (at most 3 bytes) stays held.
            data.readBytes(held, heldLength, n);
            heldLength += n;
            data.release();
            return;
        }
        // The open sequence lies entirely in data here (a held one was completed, or the chunk would be all held).
        // emit() sends the held bytes first, so the new open sequence waits in tail until it has
        if (keep > 0) {
            data.getBytes(data.writerIndex() - keep, tail, 0, keep);
            data.writerIndex(data.writerIndex() - keep);
        }
        emit(out, Opcode.TEXT, data);
        System.arraycopy(tail, 0, held, 0, keep);
        heldLength = keep;
    }

    /** Before the stream closes: held bytes never completed, so they go out as a binary frame. */
    void finish(ByteStream out) {
        if (heldLength > 0) {
            reportOnce();
            emit(out, Opcode.BINARY, alloc.buffer(0, 0));
        }
    }

    /** Writes one frame: the held bytes, then {@code data} (ownership taken); clears the held bytes. */
    private void emit(ByteStream out, int opcode, ByteBuf data) {
        int prefix = heldLength;
        int length = prefix + data.readableBytes();
        heldLength = 0;
        if (length <= COPY_LIMIT) {
            ByteBuf frame = FrameEncoder.header(alloc, true, opcode, length, length);
            frame.writeBytes(held, 0, prefix);
            frame.writeBytes(data);
            data.release();
            out.write(frame);
        } else {
            ByteBuf header = FrameEncoder.header(alloc, true, opcode, length, prefix);
            header.writeBytes(held, 0, prefix);
            out.write(header);
            out.write(data);
        }
    }

    /**
     * Length of the incomplete UTF-8 sequence ending the held bytes followed by {@code data} (which together
     * validated as UTF-8 with a sequence still open): its lead byte and the continuation bytes after it.
     */
    private int openSequenceLength(ByteBuf data) {
        int n = data.readableBytes();
        int total = heldLength + n;
        int length = 1;
        while (length < total && (byteFromEnd(data, n, length - 1) & 0xC0) == 0x80) {
            length++;
        }
        return length;
    }

    private byte byteFromEnd(ByteBuf data, int n, int i) {
        return i < n ? data.getByte(data.writerIndex() - 1 - i) : held[heldLength - 1 - (i - n)];
    }

    private void reportOnce() {
        if (!reported) {
            reported = true;
            onNotUtf8.run();
        }
    }
}
