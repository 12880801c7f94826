package io.lightgate.modules.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Feeds a {@link BackendResponseParser} and records what it reports, releasing every buffer it hands out. */
final class ParserProbe implements BackendResponseParser.Handler {
    final List<BackendResponseHead> heads = new ArrayList<>();
    final ByteArrayOutputStream body = new ByteArrayOutputStream();
    int ends;
    String malformed;
    int callsAfterMalformed;
    final BackendResponseParser parser;

    ParserProbe(boolean headRequest) {
        parser = new BackendResponseParser(headRequest, ByteBufAllocator.DEFAULT, this);
    }

    /** Parses {@code input} cut into reads of {@code step} bytes, then EOF when {@code eof}. */
    static ParserProbe run(byte[] input, int step, boolean headRequest, boolean eof) {
        ParserProbe p = new ParserProbe(headRequest);
        for (int i = 0; i < input.length; i += step) {
            int n = Math.min(step, input.length - i);
            ByteBuf b = ByteBufAllocator.DEFAULT.buffer(n).writeBytes(input, i, n);
            p.parser.feed(b);
        }
        if (eof) {
            p.parser.endOfInput();
        }
        return p;
    }

    static ParserProbe run(String input, int step) {
        return run(input.getBytes(StandardCharsets.ISO_8859_1), step, false, true);
    }

    /** The leftover after a 101, as text (released). */
    String leftover() {
        ByteBuf b = parser.takeLeftover();
        try {
            return b.toString(StandardCharsets.ISO_8859_1);
        } finally {
            b.release();
        }
    }

    String bodyText() {
        return body.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void head(BackendResponseHead head) {
        if (malformed != null) {
            callsAfterMalformed++;
        }
        heads.add(head);
        if (wholeBodyLimit >= 0) {
            ByteBuf whole = parser.takeWholeBody(wholeBodyLimit);
            if (whole != null) {
                wholeBodies++;
                content(whole);
                contentCalls--;
            }
        }
    }

    /** When not negative, head() takes the body whole if the parser offers it within this limit. */
    int wholeBodyLimit = -1;
    /** Bodies taken whole in head(); content calls (not counting those). */
    int wholeBodies;
    int contentCalls;

    @Override
    public void content(ByteBuf data) {
        if (malformed != null) {
            callsAfterMalformed++;
        }
        contentCalls++;
        byte[] bytes = new byte[data.readableBytes()];
        data.readBytes(bytes);
        data.release();
        body.writeBytes(bytes);
    }

    @Override
    public void end() {
        if (malformed != null) {
            callsAfterMalformed++;
        }
        ends++;
    }

    @Override
    public void malformed(String why) {
        if (malformed != null) {
            callsAfterMalformed++;
        }
        malformed = why;
    }

    static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }
}
