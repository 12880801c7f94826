package io.lightgate.modules.scgi;

import io.netty.buffer.ByteBuf;

/** The outcome of encoding a request head for an SCGI or uwsgi backend. */
public sealed interface EncodedHead {

    /** The encoded head; the caller owns {@code head}. */
    record Encoded(ByteBuf head) implements EncodedHead { }

    /** The head cannot be encoded: {@code tooLarge} maps to 431 (uwsgi's 16-bit size), otherwise to 400. */
    record Refused(boolean tooLarge, String why) implements EncodedHead { }
}
