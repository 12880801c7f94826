package io.lightgate.http;

import io.netty.buffer.ByteBuf;

/** Joins bytes that arrive in pieces until a parser can read a whole head: the one way every parser here does it. */
public final class Cumulation {
    private Cumulation() { }

    /**
     * Appends {@code in} to {@code cumulation} (null: none yet) and returns the buffer that now holds both; both
     * arguments are consumed. Copies only when it must: into the cumulation when it has room and no one else holds
     * it (slices handed out keep its reference count above one, and moving its bytes would change what they show),
     * else into a new buffer of the joint size.
     */
    public static ByteBuf append(ByteBuf cumulation, ByteBuf in) {
        if (cumulation == null) {
            return in;
        }
        if (!cumulation.isReadable()) {
            cumulation.release();
            return in;
        }
        try {
            if (!in.isReadable()) {
                return cumulation;
            }
            if (cumulation.writableBytes() >= in.readableBytes() && cumulation.refCnt() == 1
                    && !cumulation.isReadOnly()) {
                cumulation.writeBytes(in);
                return cumulation;
            }
            ByteBuf merged = in.alloc().buffer(cumulation.readableBytes() + in.readableBytes());
            merged.writeBytes(cumulation).writeBytes(in);
            cumulation.release();
            return merged;
        } finally {
            in.release();
        }
    }
}
