package io.lightgate.modules.fastcgi;

import io.netty.buffer.ByteBuf;

/** The outcome of encoding FastCGI params. */
public sealed interface EncodedParams {

    /** The encoded records; the caller owns {@code records}. */
    record Encoded(ByteBuf records) implements EncodedParams { }

    /** The params cannot be sent (over one record's 65535 bytes, or not byte strings): lighttpd answers 400. */
    record Refused(String why) implements EncodedParams { }
}
