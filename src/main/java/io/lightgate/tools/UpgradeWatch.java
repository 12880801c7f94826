package io.lightgate.tools;

import io.lightgate.gateway.cgi.CgiResponseParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Reads along the head of a program's response (a copy; the bytes themselves go to the client untouched) to
 * learn whether it switched protocols: after a 101 with Upgrade the client's EOF is a half-close of the tunnel,
 * before or without it the client went away.
 */
final class UpgradeWatch {
    private CgiResponseParser parser;
    private boolean upgraded;

    UpgradeWatch(ByteBufAllocator alloc) {
        this.parser = new CgiResponseParser(alloc);
    }

    void output(ByteBuf data) {
        if (parser == null) {
            return;
        }
        switch (parser.feed(data.retainedDuplicate())) {
            case HEAD -> {
                upgraded = parser.head().upgrade();
                parser.takeLeftover().release();
                release();
            }
            case MALFORMED -> release();
            case NEED_MORE -> { }
        }
    }

    boolean upgraded() {
        return upgraded;
    }

    void release() {
        if (parser != null) {
            parser.release();
            parser = null;
        }
    }
}
