package io.lightgate.modules.scgi;

import io.netty.buffer.ByteBuf;

/**
 * An incremental decoder of one request head (server side, for {@code lightgate scgi-cgi}). The caller owns
 * {@code in} (typically a cumulation) and calls {@link #decode} whenever bytes were added; the decoder only moves
 * the reader index. After {@link HeadDecoding.Decoded} the bytes left in {@code in} are the body (or, after an
 * upgrade, the raw stream), untouched; later calls consume nothing and repeat the result.
 */
public interface RequestHeadDecoder {
    HeadDecoding decode(ByteBuf in);
}
