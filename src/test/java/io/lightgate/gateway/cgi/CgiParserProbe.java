package io.lightgate.gateway.cgi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/** Runs a {@link CgiResponseParser} over some output cut into reads, releasing every buffer it hands out. */
record CgiParserProbe(CgiResponseParser.Progress progress, CgiResponseHead head, String leftover, String malformed,
                      int progressAfterEnd) {

    /** Feeds {@code input} in reads of {@code step} bytes (stopping at the head), then EOF when {@code eof}. */
    static CgiParserProbe run(byte[] input, int step, boolean eof) {
        CgiResponseParser parser = new CgiResponseParser(ByteBufAllocator.DEFAULT);
        CgiResponseParser.Progress p = CgiResponseParser.Progress.NEED_MORE;
        int i = 0;
        StringBuilder after = new StringBuilder();
        while (i < input.length && p == CgiResponseParser.Progress.NEED_MORE) {
            int n = Math.min(step, input.length - i);
            p = parser.feed(ByteBufAllocator.DEFAULT.buffer(n).writeBytes(input, i, n));
            i += n;
        }
        // what the caller would read next goes straight to the body, not to the parser
        after.append(new String(input, i, input.length - i, StandardCharsets.ISO_8859_1));
        if (p == CgiResponseParser.Progress.NEED_MORE && eof) {
            p = parser.endOfInput();
        }
        String leftover = null;
        if (p == CgiResponseParser.Progress.HEAD) {
            ByteBuf b = parser.takeLeftover();
            leftover = b.toString(StandardCharsets.ISO_8859_1) + after;
            b.release();
        }
        int afterEnd = parser.endOfInput().ordinal();
        parser.release();
        return new CgiParserProbe(p, parser.head(), leftover, parser.malformedReason(), afterEnd);
    }

    static CgiParserProbe run(String input, int step) {
        return run(input.getBytes(StandardCharsets.ISO_8859_1), step, true);
    }
}
